import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { webhookSchema } from '../../alerts/sla.config.ts';
import { dingtalkChannel } from './dingtalk.channel.ts';
import { FORGED_COMMENT, FORGED_MARKUP, message, T0 } from '../../testing/channels.fixture.ts';

const SECRET = 'SEC1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c';
const URL_BASE = 'https://oapi.dingtalk.com/robot/send?access_token=abc123';
const hook = (secret?: string) => webhookSchema.parse({ id: 'dd', kind: 'dingtalk', url: URL_BASE, ...(secret ? { secret } : {}) });

describe('DingTalk custom robot', () => {
  it('posts markdown with at.atMobiles, and @mobile in the text so DingTalk shows the mention', () => {
    const sent = JSON.parse(dingtalkChannel.request(message(), hook(), T0).body);
    expect(sent).toEqual({
      msgtype: 'markdown',
      markdown: { title: '【紧急 Critical】电梯困人 · 已派单 Dispatched', text: expect.any(String) },
      at: { atMobiles: ['13800000001'], atUserIds: [], isAtAll: false },
    });
    expect(sent.markdown.text.split('\n')).toEqual([
      '#### 【紧急 Critical】电梯困人 · 已派单 Dispatched',
      '- **告警 Alert**: 电梯困人 / Passenger trapped',
      '- **小区 Compound**: 翠苑一区',
      '- **设备 Device**: 1号楼 · 1号电梯 · 电梯 elevator',
      '- **状态 Step**: 已派单 Dispatched',
      '- **处理人 Assignee**: 王芳',
      '- **时间 Time**: 2027-01-15 16:00:00 UTC+8',
      '- **提醒 Attention**: @13800000001',
      'Compound Hub',
    ]);
  });

  it('mentions by DingTalk userId when there is no mobile, and nobody when there is no contact', () => {
    const byId = JSON.parse(dingtalkChannel.request(message({}, {}, { dingtalk: 'ding-wang' }), hook(), T0).body);
    expect(byId.at).toEqual({ atMobiles: [], atUserIds: ['ding-wang'], isAtAll: false });
    expect(byId.markdown.text).toContain('@ding-wang');
    const none = JSON.parse(dingtalkChannel.request(message({}, {}, null), hook(), T0).body);
    expect(none.at).toEqual({ atMobiles: [], atUserIds: [], isAtAll: false });
  });

  it('signs with 加签: timestamp (ms) and sign = urlencode(base64(HmacSHA256(secret, timestamp + "\\n" + secret))) in the URL', () => {
    const url = new URL(dingtalkChannel.request(message(), hook(SECRET), T0).url);
    expect(url.origin + url.pathname).toBe('https://oapi.dingtalk.com/robot/send');
    expect(url.searchParams.get('access_token')).toBe('abc123');
    expect(url.searchParams.get('timestamp')).toBe(String(T0));
    const expected = createHmac('sha256', SECRET).update(`${T0}\n${SECRET}`).digest('base64');
    expect(url.searchParams.get('sign')).toBe(expected);
    expect(url.search).toContain(`sign=${encodeURIComponent(expected)}`);
    // Without a secret (keyword or IP security) the URL is left as it is.
    expect(dingtalkChannel.request(message(), hook(), T0).url).toBe(URL_BASE);
  });

  it('refuses a 加签 secret that is not the SEC… string DingTalk shows', () => {
    const parsed = webhookSchema.safeParse({ id: 'dd', kind: 'dingtalk', url: URL_BASE, secret: 'not-a-dingtalk-secret' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['secret'], message: expect.stringMatching(/SEC/) });
  });

  it('cannot be made to show a forged heading, a phishing link or a mention by a comment', () => {
    const sent = JSON.parse(dingtalkChannel.request(message({ kind: 'commented', actor: 'zhao', note: FORGED_COMMENT }), hook(), T0).body);
    for (const forged of FORGED_MARKUP) expect(sent.markdown.text, forged).not.toContain(forged);
    expect(sent.markdown.text.split('\n').filter((l: string) => l.startsWith('#'))).toHaveLength(1);
    expect(sent.at.atMobiles).toEqual(['13800000001']);
  });

  it.each([
    [200, '{"errcode":0,"errmsg":"ok"}', { delivered: true }],
    [200, '{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}', { delivered: false, retry: true }],
    [200, '{"errcode":410100,"errmsg":"发送速度太快而限流"}', { delivered: false, retry: true }],
    [200, '{"errcode":310000,"errmsg":"sign not match"}', { delivered: false, retry: false, error: 'dingtalk errcode 310000: sign not match' }],
    [503, '', { delivered: false, retry: true }],
  ])('reads HTTP %i %s', (status, answer, outcome) => {
    expect(dingtalkChannel.outcome(status, answer)).toMatchObject(outcome);
  });
});
