/**
 * Feishu (飞书) custom robot (kind `feishu`): an interactive card (`msg_type: "interactive"`)
 * whose header is plain text and whose body is lark_md, with the person mentioned as
 * `<at id=open_id></at>` (cards take `id`; the text and post messages take `<at user_id="…">`).
 * With 签名校验 (a `secret`) the body carries `timestamp` (seconds) and `sign` =
 * base64(HmacSHA256(key = timestamp + "\n" + secret, msg = "")): the key is the string, the
 * message is empty (not DingTalk's way round). Feishu answers HTTP 200 with `{"code":0,…}`
 * (older robots: `StatusCode`); code 11232 (rate limited) is retried, 19021 (signature), 19024
 * (keyword) and any other code fail. At most 20 KB a request.
 */
import { createHmac } from 'node:crypto';
import type { Channel } from './channel.types.ts';
import { inertMarkup, plainLine } from './escape.ts';
import { renderText, type AlertMessage, type Markup } from './message-text.ts';
import { vendorOutcome, type VendorAnswer } from './receiver-answer.ts';
import { clipUtf8 } from './clip.ts';

const MAX_BYTES = 16_000;
const answer: VendorAnswer = { vendor: 'feishu', codeFields: ['code', 'StatusCode'], messageFields: ['msg', 'StatusMessage'], retryCodes: new Set([11232]) };

const larkMd: Markup = {
  escape: inertMarkup,
  // The title is the card's header; the body starts with the facts.
  heading: () => '',
  fact: (label, value) => `**${label}**: ${value}`,
  mention: (person) => (person.contact?.feishu ? `<at id=${person.contact.feishu}></at>` : undefined),
};

export function feishuSign(secret: string, timestamp: string): string {
  return createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
}

export function feishuCard(message: AlertMessage): Record<string, unknown> {
  const content = renderText(message, larkMd).replace(/^\n/, '');
  return {
    config: { wide_screen_mode: true },
    header: { template: message.tone, title: { tag: 'plain_text', content: plainLine(message.title) } },
    elements: [{ tag: 'div', text: { tag: 'lark_md', content: clipUtf8(content, MAX_BYTES) } }],
  };
}

export const feishuChannel: Channel = {
  request(message, hook, at) {
    const timestamp = String(Math.floor(at / 1000));
    const signed = hook.secret ? { timestamp, sign: feishuSign(hook.secret, timestamp) } : {};
    return { url: hook.url, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...signed, msg_type: 'interactive', card: feishuCard(message) }) };
  },
  outcome: (status, body) => vendorOutcome(answer, status, body),
};
