import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { webhookSchema } from '../../alerts/sla.config.ts';
import { genericChannel } from './generic.channel.ts';
import { FORGED_COMMENT, FORGED_MARKUP, message, T0 } from '../../testing/channels.fixture.ts';

const SECRET = 'a-very-secret-webhook-key';
const hook = webhookSchema.parse({ id: 'gen', url: 'https://receiver.example/hook', secret: SECRET });

describe('generic webhook', () => {
  it('is the default kind, and needs a secret of 16 characters or more', () => {
    expect(hook.kind).toBe('generic');
    const short = webhookSchema.safeParse({ id: 'gen', url: 'https://receiver.example/hook', secret: 'short' });
    expect(short.error?.issues[0]).toMatchObject({ path: ['secret'] });
    expect(webhookSchema.safeParse({ id: 'gen', url: 'https://receiver.example/hook' }).success).toBe(false);
  });

  it('posts JSON with a markdown summary, the event and the alert, signed in X-Compound-Hub-Signature', () => {
    const request = genericChannel.request(message(), hook, T0);
    expect(request.headers['x-compound-hub-timestamp']).toBe(String(T0));
    expect(request.headers['x-compound-hub-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(`${T0}.${request.body}`).digest('hex')}`);
    expect(request.headers['x-compound-hub-delivery']).toBe(`a1.dispatched.${T0}`);
    const body = JSON.parse(request.body);
    expect(body).toMatchObject({ msgtype: 'markdown', person: { id: 'wang', name: '王芳' }, event: { kind: 'dispatched', assignee: 'wang' }, alert: { id: 'a1' } });
    expect(body.markdown.title).toBe('【紧急 Critical】电梯困人 · 已派单 Dispatched');
    expect(body.markdown.text).toContain('- 处理人 Assignee: 王芳');
    // Contacts are personal data: a generic receiver is not told them.
    expect(request.body).not.toContain('13800000001');
  });

  it('escapes user-written text in the summary; the event keeps it as data', () => {
    const body = JSON.parse(genericChannel.request(message({ kind: 'commented', actor: 'zhao', note: FORGED_COMMENT }), hook, T0).body);
    for (const forged of FORGED_MARKUP) expect(body.markdown.text, forged).not.toContain(forged);
    expect(body.event.note).toBe(FORGED_COMMENT);
  });

  it('is delivered on any 2xx', () => {
    expect(genericChannel.outcome(204, '')).toEqual({ delivered: true });
    expect(genericChannel.outcome(400, '')).toEqual({ delivered: false, retry: false, error: 'HTTP 400' });
  });
});
