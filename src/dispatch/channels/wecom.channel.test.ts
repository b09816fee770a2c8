import { describe, expect, it } from 'vitest';
import { webhookSchema } from '../../alerts/sla.config.ts';
import { wecomChannel } from './wecom.channel.ts';
import { FORGED_COMMENT, FORGED_MARKUP, message } from '../../testing/channels.fixture.ts';

const hook = webhookSchema.parse({ id: 'wx', kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx' });
const body = (m: ReturnType<typeof message>) => JSON.parse(wecomChannel.request(m, hook, 0).body);

describe('WeCom group robot', () => {
  it('posts markdown to the robot URL as it is (its key is the credential), unsigned', () => {
    const request = wecomChannel.request(message(), hook, 1_800_000_000_000);
    expect(request.url).toBe(hook.url);
    expect(request.headers).toEqual({ 'content-type': 'application/json' });
    const md = JSON.parse(request.body);
    expect(Object.keys(md)).toEqual(['msgtype', 'markdown']);
    expect(md.msgtype).toBe('markdown');
    expect(md.markdown.content.split('\n')).toEqual([
      '### <font color="warning">【紧急 Critical】电梯困人 · 已派单 Dispatched</font>',
      '> 告警 Alert: 电梯困人 / Passenger trapped',
      '> 小区 Compound: 翠苑一区',
      '> 设备 Device: 1号楼 · 1号电梯 · 电梯 elevator',
      '> 状态 Step: 已派单 Dispatched',
      '> 处理人 Assignee: 王芳',
      '> 时间 Time: 2027-01-15 16:00:00 UTC+8',
      '> 提醒 Attention: <@WangFang>',
      'Compound Hub',
    ]);
  });

  it('mentions a person who has only a mobile number through a text message with mentioned_mobile_list (markdown cannot)', () => {
    const text = body(message({}, {}, { mobile: '13800000001' }));
    expect(text).toEqual({ msgtype: 'text', text: { content: expect.any(String), mentioned_mobile_list: ['13800000001'] } });
    expect(text.text.content).toContain('处理人 Assignee: 王芳');
    expect(text.text.content).not.toContain('###');
  });

  it('names a person without a usable contact, unmentioned', () => {
    const md = body(message({}, {}, null));
    expect(md.msgtype).toBe('markdown');
    expect(md.markdown.content).toContain('> 提醒 Attention: 王芳（未登记可 @ 的联系方式 no contact to @mention）');
    expect(md.markdown.content).not.toMatch(/<@/);
  });

  it('cannot be made to show a forged "closed" heading, a phishing link or a mention by a comment', () => {
    for (const contact of [undefined, { mobile: '13800000001' }]) {
      const sent = body(message({ kind: 'commented', actor: 'zhao', note: FORGED_COMMENT }, {}, contact ?? undefined));
      const content: string = sent.markdown?.content ?? sent.text.content;
      for (const forged of FORGED_MARKUP) expect(content, forged).not.toContain(forged);
      expect(content.split('\n').filter((l) => l.startsWith('#'))).toHaveLength(sent.msgtype === 'markdown' ? 1 : 0);
      expect(content.split('\n').find((l) => l.includes('备注 Note'))).toContain('［点此确认关闭］（https：//evil.example/login）');
    }
  });

  it.each([
    [200, '{"errcode":0,"errmsg":"ok"}', { delivered: true }],
    [200, '{"errcode":45009,"errmsg":"api freq out of limit"}', { delivered: false, retry: true, error: 'wecom errcode 45009: api freq out of limit' }],
    [200, '{"errcode":93000,"errmsg":"invalid webhook url"}', { delivered: false, retry: false, error: 'wecom errcode 93000: invalid webhook url' }],
    [200, 'ok', { delivered: false, retry: false }],
    [502, '', { delivered: false, retry: true, error: 'HTTP 502' }],
    [404, '', { delivered: false, retry: false, error: 'HTTP 404' }],
  ])('reads HTTP %i %s', (status, answer, outcome) => {
    expect(wecomChannel.outcome(status, answer)).toMatchObject(outcome);
  });
});
