import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { webhookSchema } from '../../alerts/sla.config.ts';
import { feishuChannel } from './feishu.channel.ts';
import { FORGED_COMMENT, FORGED_MARKUP, message, T0, WANG_CONTACT } from '../../testing/channels.fixture.ts';

const SECRET = 'qx7jZ9kqX1t4Y0vLd8rRvd';
const URL_BASE = 'https://open.feishu.cn/open-apis/bot/v2/hook/0f9e8d7c-aaaa-bbbb-cccc-1234567890ab';
const hook = (secret?: string) => webhookSchema.parse({ id: 'fs', kind: 'feishu', url: URL_BASE, ...(secret ? { secret } : {}) });
const sent = (m = message(), secret?: string) => JSON.parse(feishuChannel.request(m, hook(secret), T0).body);

describe('Feishu custom robot', () => {
  it('posts an interactive card: plain-text header in the severity colour, lark_md facts, <at id=…> for the person', () => {
    const body = sent();
    expect(Object.keys(body)).toEqual(['msg_type', 'card']);
    expect(body.msg_type).toBe('interactive');
    expect(body.card.header).toEqual({ template: 'red', title: { tag: 'plain_text', content: '【紧急 Critical】电梯困人 · 已派单 Dispatched' } });
    expect(body.card.elements).toHaveLength(1);
    expect(body.card.elements[0].tag).toBe('div');
    expect(body.card.elements[0].text.tag).toBe('lark_md');
    expect(body.card.elements[0].text.content.split('\n')).toEqual([
      '**告警 Alert**: 电梯困人 / Passenger trapped',
      '**小区 Compound**: 翠苑一区',
      '**设备 Device**: 1号楼 · 1号电梯 · 电梯 elevator',
      '**状态 Step**: 已派单 Dispatched',
      '**处理人 Assignee**: 王芳',
      '**时间 Time**: 2027-01-15 16:00:00 UTC+8',
      `**提醒 Attention**: <at id=${WANG_CONTACT.feishu}></at>`,
      'Compound Hub',
    ]);
    expect(sent(message({ kind: 'closed', actor: 'zhao', assignee: undefined }, { workflow: 'closed' })).card.header.template).toBe('green');
  });

  it('signs with 签名校验: timestamp (s) and sign = base64(HmacSHA256(key = timestamp + "\\n" + secret, msg = "")) in the body', () => {
    const body = sent(message(), SECRET);
    const timestamp = String(Math.floor(T0 / 1000));
    expect(body.timestamp).toBe(timestamp);
    expect(body.sign).toBe(createHmac('sha256', `${timestamp}\n${SECRET}`).update(Buffer.alloc(0)).digest('base64'));
    // Not DingTalk's way round.
    expect(body.sign).not.toBe(createHmac('sha256', SECRET).update(`${timestamp}\n${SECRET}`).digest('base64'));
    expect(feishuChannel.request(message(), hook(SECRET), T0).url).toBe(URL_BASE);
  });

  it('names a person without a Feishu id, unmentioned', () => {
    const content = sent(message({}, {}, { mobile: '13800000001' })).card.elements[0].text.content;
    expect(content).toContain('**提醒 Attention**: 王芳（未登记可 @ 的联系方式 no contact to @mention）');
    expect(content).not.toContain('<at');
  });

  it('cannot be made to show a forged heading, a phishing link or a mention by a comment or a typed name', () => {
    const body = sent(message({ kind: 'commented', actor: 'zhao', note: FORGED_COMMENT }, { name: { zh: '电梯困人\n<at id=all></at>', en: 'x' } }));
    const content: string = body.card.elements[0].text.content;
    for (const forged of FORGED_MARKUP) expect(content, forged).not.toContain(forged);
    expect(content.match(/<at /g)).toHaveLength(1);
    expect(body.card.header.title.content).not.toContain('\n');
  });

  it.each([
    [200, '{"code":0,"msg":"success","data":{}}', { delivered: true }],
    [200, '{"StatusCode":0,"StatusMessage":"success"}', { delivered: true }],
    [200, '{"code":11232,"msg":"frequency limited psm[lark.oapi.app_platform_runtime]appID[1]"}', { delivered: false, retry: true }],
    [200, '{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}', { delivered: false, retry: false, error: expect.stringMatching(/^feishu code 19021: sign match fail/) }],
    [429, '', { delivered: false, retry: true }],
  ])('reads HTTP %i %s', (status, answer, outcome) => {
    expect(feishuChannel.outcome(status, answer)).toMatchObject(outcome);
  });
});
