/**
 * DingTalk (钉钉) custom robot (kind `dingtalk`): a markdown message, `at.atMobiles` /
 * `at.atUserIds` naming the person, whose `@mobile` / `@userId` must also stand in the text
 * for DingTalk to show the mention. With 加签 (a `secret`, the `SEC…` string DingTalk shows) the
 * URL gets `timestamp` (ms) and `sign` = urlencode(base64(HmacSHA256(key = secret,
 * msg = timestamp + "\n" + secret))). DingTalk answers HTTP 200 with `{"errcode":0,"errmsg":"ok"}`;
 * errcode 130101 / 410100 (more than 20 messages a minute) is retried; 310000 (signature,
 * keyword or IP refused) and any other code fail. Messages end with "Compound Hub", a keyword
 * for robots secured by 自定义关键词.
 */
import { createHmac } from 'node:crypto';
import type { Channel } from './channel.types.ts';
import { inertMarkup, plainLine } from './escape.ts';
import { renderText, type AlertMessage, type Markup } from './message-text.ts';
import { vendorOutcome, type VendorAnswer } from './receiver-answer.ts';
import { clipUtf8 } from './clip.ts';

const MAX_BYTES = 18_000;
const answer: VendorAnswer = { vendor: 'dingtalk', codeFields: ['errcode'], messageFields: ['errmsg'], retryCodes: new Set([130101, 410100]) };

const markdown: Markup = {
  escape: inertMarkup,
  heading: (title) => `#### ${title}`,
  fact: (label, value) => `- **${label}**: ${value}`,
  mention: (person) => (person.contact?.mobile ? `@${person.contact.mobile}` : person.contact?.dingtalk ? `@${person.contact.dingtalk}` : undefined),
};

/** `sign` before urlencoding: base64(HmacSHA256(secret, timestamp + "\n" + secret)). */
export function dingtalkSign(secret: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

export function dingtalkBody(message: AlertMessage): Record<string, unknown> {
  const contact = message.mention ? message.person?.contact : undefined;
  return {
    msgtype: 'markdown',
    markdown: { title: plainLine(message.title), text: clipUtf8(renderText(message, markdown), MAX_BYTES) },
    at: {
      atMobiles: contact?.mobile ? [contact.mobile] : [],
      atUserIds: !contact?.mobile && contact?.dingtalk ? [contact.dingtalk] : [],
      isAtAll: false,
    },
  };
}

export const dingtalkChannel: Channel = {
  request(message, hook, at) {
    const url = new URL(hook.url);
    if (hook.secret) {
      const timestamp = String(at);
      url.searchParams.set('timestamp', timestamp);
      // URLSearchParams form-encodes it: + / = become %2B %2F %3D, as DingTalk's urlencode does.
      url.searchParams.set('sign', dingtalkSign(hook.secret, timestamp));
    }
    return { url: url.toString(), headers: { 'content-type': 'application/json' }, body: JSON.stringify(dingtalkBody(message)) };
  },
  outcome: (status, body) => vendorOutcome(answer, status, body),
};
