/**
 * The generic webhook (kind `generic`, the default): JSON with a markdown summary that suits
 * group-robot-like endpoints, plus the event and the alert as data. Signed in headers:
 * `X-Compound-Hub-Signature: sha256=HMAC-SHA256(secret, "<timestamp>.<body>")` (hex), the
 * timestamp (ms) in `X-Compound-Hub-Timestamp`, a delivery id in `X-Compound-Hub-Delivery`.
 * The summary's user-written text is escaped like the robots' markdown; `event` and `alert`
 * carry it raw, as data (a receiver that renders them escapes them itself).
 */
import { createHmac } from 'node:crypto';
import type { Channel } from './channel.types.ts';
import { inertMarkup } from './escape.ts';
import { renderText, type AlertMessage, type Markup } from './message-text.ts';
import { statusOutcome } from './receiver-answer.ts';

export function sign(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

const markdown: Markup = {
  escape: inertMarkup,
  heading: (title) => `### ${title}`,
  fact: (label, value) => `- ${label}: ${value}`,
  // No mention syntax: the person is named, and `person` in the body says who it is.
  mention: () => undefined,
};

export function genericBody(message: AlertMessage): string {
  const text = renderText({ ...message, mention: false }, markdown);
  return JSON.stringify({
    msgtype: 'markdown',
    markdown: { title: inertMarkup(message.title), text, content: text },
    ...(message.person ? { person: { id: message.person.id, name: message.person.name } } : {}),
    event: message.event,
    alert: message.alert,
  });
}

export const genericChannel: Channel = {
  request(message, hook, at) {
    const body = genericBody(message);
    const timestamp = String(at);
    return {
      url: hook.url,
      headers: {
        'content-type': 'application/json',
        'x-compound-hub-timestamp': timestamp,
        'x-compound-hub-signature': sign(hook.secret ?? '', timestamp, body),
        'x-compound-hub-delivery': message.deliveryId,
      },
      body,
    };
  },
  outcome: (status) => statusOutcome(status) ?? { delivered: true },
};
