import http from 'node:http';
import { routingFor } from '../testing/routing.fixture.ts';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { io, type Socket } from 'socket.io-client';
import { LiveServer } from './live.server.ts';
import { DeviceStates } from './device-state.ts';
import { AlertBook } from '../alerts/alert-book.ts';
import { alertsConfigSchema } from '../alerts/sla.config.ts';
import type { Alert } from '../alerts/alert.types.ts';
import { loadRules } from '../rules/rules.loader.ts';
import { createHubMetrics } from '../metrics/hub.metrics.ts';
import { fixtureRegistry } from '../testing/registry.fixture.ts';
import { accessFixture } from '../testing/access.fixture.ts';
import { SESSION_COOKIE, type LiveBatch } from '../contracts/live-events.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A live server with a clock the test moves; its tick is an hour, so the test ticks it (flush()). */
const TICK_MS = 3_600_000;

/** `workers`: grid g1's call order (the socket is wang's). */
async function setup(workers = ['wang']) {
  let now = 1_800_000_000_000;
  const alertsConfig = alertsConfigSchema.parse({ grids: [{ id: 'g1', compounds: ['c01'], workers }] });
  const alerts = new AlertBook(alertsConfig, await loadRules(undefined), routingFor(alertsConfig));
  const access = await accessFixture();
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const live = new LiveServer(server, {
    registry: fixtureRegistry(), deviceStates: new DeviceStates(), alerts, alertsConfig, access,
    metrics: createHubMetrics(), logger: pino({ level: 'silent' }), now: () => now, tickMs: TICK_MS,
  });
  cleanups.push(() => new Promise((resolve) => server.close(resolve)), () => live.close());
  const { token } = access.sessions.create('wang', now);
  const socket: Socket = io(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, {
    transports: ['websocket'], reconnection: false, extraHeaders: { cookie: `${SESSION_COOKIE}=${token}` },
  });
  cleanups.push(() => socket.close());
  const batches: LiveBatch[] = [];
  socket.on('update', (batch: LiveBatch) => batches.push(batch));
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  await socket.timeout(5000).emitWithAck('subscribe', { mine: true });
  const raised: Alert[] = [];
  alerts.onEvent((event, alert) => event.kind === 'dispatched' && raised.push(alert));
  const raise = (device: string) =>
    alerts.applyCondition({
      change: 'raised', ruleId: 'elevator-alarm-button', kind: 'event', severity: 'major', deviceKey: `c01/elevator/${device}`, compound: 'c01', type: 'elevator', device, at: now, count: 1, value: 'alarm_button',
    });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
  const subscribe = () => socket.timeout(5000).emitWithAck('subscribe', { mine: true }) as Promise<{ ok: boolean; snapshot: { alerts: Alert[] } }>;
  return { live, socket, alerts, batches, raised, raise, settle, subscribe, now: () => now, advance: (ms: number) => (now += ms) };
}

describe('live batches', () => {
  it('pushes an urgent alert at once to a quiet room, holds the rest for the tick, and never sends an alert twice unchanged', async () => {
    const { live, batches, raised, raise, settle, advance } = await setup();
    raise('e1');
    live.alertChanged(raised[0]!, true);
    await settle();
    // Ahead of the tick: the worker's room had no batch yet.
    expect(batches.map((b) => b.alerts.map((a) => a.deviceKey))).toEqual([['c01/elevator/e1']]);

    // Soon after, another alert: the room had a batch within the tick, so it waits for the tick.
    advance(20);
    raise('e2');
    live.alertChanged(raised[1]!, true);
    live.alertChanged(raised[0]!, false); // a repeat of the first: never ahead of the tick
    await settle();
    expect(batches).toHaveLength(1);

    live.flush();
    await settle();
    expect(batches).toHaveLength(2);
    expect(batches[1]!.alerts.map((a) => a.deviceKey).sort()).toEqual(['c01/elevator/e1', 'c01/elevator/e2']);

    // Quiet for a whole tick: urgent again goes at once, and the tick after it does not repeat it.
    advance(TICK_MS);
    raise('e3');
    live.alertChanged(raised[2]!, true);
    await settle();
    expect(batches).toHaveLength(3);
    live.flush();
    await settle();
    expect(batches).toHaveLength(3);
  });

  it("sends an alert to the worker its call tree rang, and tells them when someone else accepted it", async () => {
    // Dispatched to zhao (a manager of c01); the call tree rings wang after 5 min (major).
    const { live, alerts, batches, raised, raise, settle, subscribe, now } = await setup(['zhao', 'wang']);
    raise('e1');
    const alert = raised[0]!;
    live.alertChanged(alert, true);
    live.flush();
    await settle();
    expect(batches.flatMap((b) => b.alerts)).toEqual([]);
    expect((await subscribe()).snapshot.alerts).toEqual([]);

    alerts.tick(now() + 5 * 60_000);
    expect(alert.called).toEqual(['wang']);
    live.alertChanged(alert, true);
    live.flush();
    await settle();
    expect(batches.flatMap((b) => b.alerts).map((a) => a.called)).toContainEqual(['wang']);
    expect((await subscribe()).snapshot.alerts.map((a) => a.id)).toEqual([alert.id]);

    // zhao answers: wang hears it is taken (the alert comes once more, accepted by zhao), and it is his no more.
    batches.length = 0;
    alerts.accept(alert.id, 'zhao', now() + 6 * 60_000);
    live.alertChanged(alert, true);
    live.flush();
    await settle();
    expect(batches.flatMap((b) => b.alerts).map((a) => `${a.workflow}>${a.assignee}`)).toContain('accepted>zhao');
    expect((await subscribe()).snapshot.alerts).toEqual([]);
  });

  it('sends an accepted alert late on site to the person its escalation told, who keeps it while it is accepted', async () => {
    // Dispatched to zhao, who accepts; nobody is on site by the arrival deadline (dispatch + 30 min): wang is told.
    const { live, alerts, batches, raised, raise, settle, subscribe, now } = await setup(['zhao', 'wang']);
    raise('e1');
    const alert = raised[0]!;
    alerts.accept(alert.id, 'zhao', now() + 60_000);
    live.alertChanged(alert, true);
    live.flush();
    await settle();
    expect(batches.flatMap((b) => b.alerts)).toEqual([]);

    alerts.tick(now() + 30 * 60_000);
    expect(alert.history.at(-1)).toMatchObject({ kind: 'escalated', assignee: 'wang' });
    live.alertChanged(alert, true);
    live.flush();
    await settle();
    expect(batches.flatMap((b) => b.alerts).map((a) => `${a.workflow}>${a.assignee} ${a.escalatedTo}`)).toContain('accepted>zhao wang');
    expect((await subscribe()).snapshot.alerts.map((a) => a.id)).toEqual([alert.id]);

    // Resolved: wang hears it once more, and it is his no more.
    batches.length = 0;
    alerts.resolve(alert.id, 'zhao', '已处理', now() + 35 * 60_000);
    live.alertChanged(alert, true);
    live.flush();
    await settle();
    expect(batches.flatMap((b) => b.alerts).map((a) => a.workflow)).toContain('resolved');
    expect((await subscribe()).snapshot.alerts).toEqual([]);
  });

  it('refuses requests over the bucket as RATE_LIMITED, and closes a socket that keeps flooding for 10 s', async () => {
    const { socket, advance } = await setup();
    const ask = () => socket.timeout(1000).emitWithAck('subscribe', { mine: true }).catch(() => undefined) as Promise<{ ok: boolean; error?: string } | undefined>;
    // The burst (20, one already taken by the setup's subscribe), then refusals.
    const first = await Promise.all(Array.from({ length: 30 }, ask));
    expect(first.filter((a) => a?.ok === false && a.error === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(11);
    // Still over the limit every half second (2.5 tokens refilled, 5 asked): closed after 10 s.
    for (let step = 0; step < 20 && socket.connected; step++) {
      advance(500);
      await Promise.all(Array.from({ length: 5 }, ask));
    }
    await expect.poll(() => socket.connected, { timeout: 2000 }).toBe(false);
  });
});
