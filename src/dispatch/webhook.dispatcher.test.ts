import { afterEach, describe, expect, it } from 'vitest';
import { routingFor } from '../testing/routing.fixture.ts';
import http from 'node:http';
import { pino } from 'pino';
import { NO_NAMES, WebhookDispatcher, sign } from './webhook.dispatcher.ts';
import { AlertBook } from '../alerts/alert-book.ts';
import { alertsConfigSchema } from '../alerts/sla.config.ts';
import { loadRules } from '../rules/rules.loader.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openState } from '../state/index.ts';
import { keepDeliveries } from './deliveries.keeper.ts';

const T0 = 1_800_000_000_000;
const SECRET = 'a-very-secret-webhook-key';
let server: http.Server | undefined;
let dispatcher: WebhookDispatcher | undefined;
afterEach(async () => {
  dispatcher?.stop();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = dispatcher = undefined;
});

/** A real receiver answering with the given statuses in turn (the last repeats). */
async function receiver(statuses: number[]) {
  const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(statuses[Math.min(received.length - 1, statuses.length - 1)]!).end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, received };
}

async function raiseTrapped(url: string, extra: object = {}, attach: (d: WebhookDispatcher) => Promise<unknown> = async () => undefined) {
  const config = alertsConfigSchema.parse({
    grids: [{ id: 'g1', compounds: ['c01'], workers: ['wang'] }],
    webhooks: [{ id: 'dingtalk', url, secret: SECRET, retryBaseMs: 10, maxAttempts: 3, ...extra }],
  });
  let n = 0;
  const book = new AlertBook(config, await loadRules(undefined), routingFor(config), () => `a${++n}`);
  dispatcher = new WebhookDispatcher({ hooks: () => config.webhooks, directory: NO_NAMES, logger: pino({ level: 'silent' }), now: () => T0 });
  book.onEvent(dispatcher.onEvent);
  await attach(dispatcher);
  book.applyCondition({ change: 'raised', ruleId: 'elevator-trapped', kind: 'event', severity: 'critical', deviceKey: 'c01/elevator/e1', compound: 'c01', type: 'elevator', device: 'e1', at: T0, count: 1 });
  book.applyCondition({ change: 'repeated', ruleId: 'elevator-trapped', kind: 'event', severity: 'critical', deviceKey: 'c01/elevator/e1', compound: 'c01', type: 'elevator', device: 'e1', at: T0 + 1, count: 2 });
  return { book, dispatcher };
}

describe('webhooks', () => {
  it('keeps every delivery in the database, and the latest come back after a restart', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'deliveries-'));
    const state = await openState({ dataDir: dir }, pino({ level: 'silent' }));
    try {
      const hook = await receiver([503, 200]);
      let kept: Awaited<ReturnType<typeof keepDeliveries>> | undefined;
      const { dispatcher: d } = await raiseTrapped(hook.url, { events: ['raised'] }, async (x) => (kept = await keepDeliveries(x, state.deliveries, pino({ level: 'silent' }), 10)));
      await expect.poll(() => d.deliveries()[0]?.status).toBe('delivered');
      await kept!.flush();
      expect(await state.deliveries.list(10)).toEqual([expect.objectContaining({ webhook: 'dingtalk', alertId: 'a1', kind: 'raised', status: 'delivered', attempts: 2, httpStatus: 200 })]);
      const next = new WebhookDispatcher({ hooks: () => [], directory: NO_NAMES, logger: pino({ level: 'silent' }) });
      await keepDeliveries(next, state.deliveries, pino({ level: 'silent' }));
      expect(next.deliveries()).toEqual([expect.objectContaining({ alertId: 'a1', status: 'delivered' })]);
    } finally {
      await state.close();
      await rm(dir, { recursive: true, force: true });
    }
  });


  it('posts a signed group-robot message for each alert step (not for repeats)', async () => {
    const hook = await receiver([200]);
    const { dispatcher: d } = await raiseTrapped(hook.url);
    await expect.poll(() => hook.received.length).toBe(2);
    const [raised, dispatched] = hook.received;
    expect(raised!.headers['x-compound-hub-signature']).toBe(sign(SECRET, String(T0), raised!.body));
    expect(raised!.headers['x-compound-hub-timestamp']).toBe(String(T0));
    const body = JSON.parse(raised!.body);
    expect(body).toMatchObject({ msgtype: 'markdown', event: { kind: 'raised' }, alert: { id: 'a1', ruleId: 'elevator-trapped' } });
    expect(body.markdown.title).toBe('【紧急 Critical】电梯困人 · 新告警 Raised');
    expect(body.markdown.text).toContain('c01');
    expect(JSON.parse(dispatched!.body).markdown.text).toContain('处理人 Assignee: wang');
    await expect.poll(() => d.deliveries().map((x) => x.status)).toEqual(['delivered', 'delivered']);
  });

  it('retries a receiver that fails, with backoff, and records the attempts', async () => {
    const hook = await receiver([503, 500, 200]);
    const { dispatcher: d } = await raiseTrapped(hook.url, { events: ['raised'] });
    await expect.poll(() => d.deliveries()[0]?.status).toBe('delivered');
    expect(d.deliveries()[0]).toMatchObject({ attempts: 3, httpStatus: 200, kind: 'raised' });
    expect(hook.received).toHaveLength(3);
  });

  it('gives up after maxAttempts, and at once on a 4xx refusal', async () => {
    const down = await receiver([500]);
    const { dispatcher: d } = await raiseTrapped(down.url, { events: ['raised'] });
    await expect.poll(() => d.deliveries()[0]?.status).toBe('failed');
    expect(d.deliveries()[0]).toMatchObject({ attempts: 3, error: 'HTTP 500' });
    d.stop();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;

    const refusing = await receiver([400]);
    const { dispatcher: d2 } = await raiseTrapped(refusing.url, { events: ['raised'] });
    await expect.poll(() => d2.deliveries()[0]?.status).toBe('failed');
    expect(d2.deliveries()[0]!.attempts).toBe(1);
  });

  it('does not hold up the caller when the receiver is unreachable', async () => {
    const { dispatcher: d } = await raiseTrapped('http://127.0.0.1:9/unreachable', { events: ['raised'], maxAttempts: 1 });
    expect(d.deliveries()[0]!.status).toBe('pending'); // queued, not sent inline
    await expect.poll(() => d.deliveries()[0]!.status).toBe('failed');
  });
});
