/**
 * The signed push against a local HTTP receiver: each entry POSTed alone, its signature checked by
 * the receiver; a 503 is tried again with backoff (signed anew), a 400 is not; beyond the queue's
 * bound the oldest waiting entries are dropped and counted; pushing never waits for the receiver.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createHubMetrics } from '../metrics/hub.metrics.ts';
import { feedEntrySchema, type FeedEntry } from '../contracts/northbound.ts';
import { verifySignature } from './push.signature.ts';
import { webhookPush, type WebhookPush } from './webhook.push.ts';

const SECRET = 'push-test-secret-0123456';

interface Received {
  body: string;
  signed: boolean;
  timestamp: string;
}

async function receiver(answer: (n: number) => number | 'hang') {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ body, signed: verifySignature(SECRET, req.headers, body, Date.now()).ok, timestamp: String(req.headers['x-compound-hub-timestamp']) });
      const status = answer(received.length);
      if (status === 'hang') return;
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { received, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed`, close: () => new Promise<void>((r) => server.close(() => r())), server };
}

const entry = (id: string): FeedEntry => ({ v: 1, id, kind: 'figures', at: 1, source: 'hub-a', from: 0, to: 1, byCompound: {} });
const dropped = async (metrics: ReturnType<typeof createHubMetrics>, reason: string) => (await metrics.northboundDropped.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('webhook push', () => {
  it('posts each entry as signed JSON, trying a 503 again (signed anew) and giving up on a 400', async () => {
    const r = await receiver((n) => (n === 1 ? 503 : n === 3 ? 400 : 204));
    cleanups.push(r.close);
    const metrics = createHubMetrics();
    const push: WebhookPush = webhookPush({ url: r.url, secret: SECRET, queue: 10, maxAttempts: 3, retryBaseMs: 20 }, { metrics, logger: pino({ level: 'silent' }) });
    cleanups.push(() => push.stop());
    push.push(entry('e1'));
    await expect.poll(() => r.received.length).toBe(2);
    expect(r.received.every((x) => x.signed)).toBe(true);
    expect(r.received.map((x) => feedEntrySchema.parse(JSON.parse(x.body)).id)).toEqual(['e1', 'e1']);
    push.push(entry('e2'));
    await expect.poll(() => dropped(metrics, 'push_failed')).toBe(1);
    expect(r.received).toHaveLength(3);
  });

  it('drops the oldest waiting entries beyond its bound, counted, and never waits for a receiver that hangs', async () => {
    const r = await receiver(() => 'hang');
    cleanups.push(() => {
      r.server.closeAllConnections();
      return r.close();
    });
    const metrics = createHubMetrics();
    const push = webhookPush({ url: r.url, secret: SECRET, queue: 5, maxAttempts: 1, retryBaseMs: 10 }, { metrics, logger: pino({ level: 'silent' }) });
    cleanups.push(() => push.stop());
    // Each push returns at once (nothing awaited here): four go in flight, five wait, the other eleven are dropped.
    for (let i = 0; i < 20; i += 1) expect(push.push(entry(`e${i}`))).toBeUndefined();
    expect(await dropped(metrics, 'queue_full')).toBe(11);
    await expect.poll(() => r.received.length).toBe(4);
  });
});
