/**
 * WeCom (企业微信) group robot (kind `wecom`): POST the robot's webhook URL (its `key` is the
 * credential: WeCom robots sign nothing, so `secret` is not used).
 *
 * The markdown msgtype cannot carry `mentioned_mobile_list` (only the text msgtype can), but its
 * content may mention a member as `<@userid>`. So: a person with a WeCom userid gets the markdown
 * message with `<@userid>`; a person with only a mobile number gets a text message with
 * `mentioned_mobile_list: [mobile]`; without either, the markdown message names them unmentioned.
 * Markdown content is at most 4096 bytes, text content 2048. WeCom answers HTTP 200 with
 * `{"errcode":0,"errmsg":"ok"}`; errcode 45009 (too many calls) is retried.
 */
import type { Channel } from './channel.types.ts';
import { inertMarkup } from './escape.ts';
import { renderText, type AlertMessage, type Markup, type Tone } from './message-text.ts';
import { vendorOutcome, type VendorAnswer } from './receiver-answer.ts';
import { clipUtf8 } from './clip.ts';

const MARKDOWN_MAX_BYTES = 4096;
const TEXT_MAX_BYTES = 2048;
/** WeCom markdown knows three colours. */
const FONT: Readonly<Record<Tone, string>> = { red: 'warning', orange: 'warning', yellow: 'comment', blue: 'comment', green: 'info' };

const answer: VendorAnswer = { vendor: 'wecom', codeFields: ['errcode'], messageFields: ['errmsg'], retryCodes: new Set([45009]) };

function markdownOf(tone: Tone): Markup {
  return {
    escape: inertMarkup,
    heading: (title) => `### <font color="${FONT[tone]}">${title}</font>`,
    fact: (label, value) => `> ${label}: ${value}`,
    mention: (person) => (person.contact?.wecom ? `<@${person.contact.wecom}>` : undefined),
  };
}

/**
 * The text msgtype shows no markup, but WeCom's client links bare URLs in it: user text is
 * escaped the same way, so no link can be forged there either.
 */
const text: Markup = {
  escape: inertMarkup,
  heading: (title) => title,
  fact: (label, value) => `${label}: ${value}`,
  // The mention itself comes from mentioned_mobile_list; the line names whom it is for.
  mention: (person) => `@${inertMarkup(person.name).replace(/^＠/, '')}`,
};

export function wecomBody(message: AlertMessage): Record<string, unknown> {
  const person = message.mention ? message.person : undefined;
  if (person && !person.contact?.wecom && person.contact?.mobile) {
    return { msgtype: 'text', text: { content: clipUtf8(renderText(message, text), TEXT_MAX_BYTES), mentioned_mobile_list: [person.contact.mobile] } };
  }
  return { msgtype: 'markdown', markdown: { content: clipUtf8(renderText(message, markdownOf(message.tone)), MARKDOWN_MAX_BYTES) } };
}

export const wecomChannel: Channel = {
  request: (message, hook) => ({ url: hook.url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(wecomBody(message)) }),
  outcome: (status, body) => vendorOutcome(answer, status, body),
};
