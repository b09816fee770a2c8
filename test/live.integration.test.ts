/**
 * The live socket on a real hub: login in the handshake, subscriptions checked against the
 * user's scope, device changes and alerts pushed in batches of at most 10 a second, a fresh
 * snapshot after reconnecting, and the socket closed when the session ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import mqtt from 'mqtt';
import type { Hub } from '../src/hub.ts';
import { deviceTopic } from '../src/contracts/topics.ts';
import type { FleetDevice } from '../simulators/fleet.ts';
import { sleep, tempDir } from './helpers/temp-dir.ts';
import { loginCookie, postJson, startTestHub, writeFleetRegistry } from './helpers/test-hub.ts';
import { connectLive, type LiveClient } from './helpers/live-client.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let devices: FleetDevice[];
const open: LiveClient[] = [];

async function live(user: string | null, options: { cookie?: string } = {}): Promise<LiveClient> {
  const client = await connectLive(hub, user, options);
  open.push(client);
  return client;
}

async function publish(device: FleetDevice, kind: 'telemetry' | 'event', payloads: object[]) {
  const client = await mqtt.connectAsync(hub.info.brokerUrl, { username: device.key, clientId: device.key, password: device.secret, reconnectPeriod: 0 });
  for (const payload of payloads) await client.publishAsync(deviceTopic('compounds', device, kind), JSON.stringify(payload), { qos: 1 });
  await client.endAsync();
}

beforeAll(async () => {
  dir = await tempDir('live');
  const registry = await writeFleetRegistry(dir.path, ['h1', 'h2']);
  devices = registry.devices;
  const alertsFile = `${dir.path}/alerts.json`;
  await writeFile(alertsFile, JSON.stringify({ grids: [{ id: 'g1', compounds: ['h1'], workers: ['wang', 'li'] }, { id: 'g2', compounds: ['h2'], workers: ['li'] }] }));
  hub = await startTestHub({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry.file, ALERTS_FILE: alertsFile });
});
afterAll(async () => {
  for (const client of open) client.close();
  await hub?.stop();
  await dir?.remove();
});

describe('live socket', () => {
  it('refuses a handshake without a live session', async () => {
    await expect(live(null)).rejects.toThrow(/UNAUTHORIZED/);
    await expect(live(null, { cookie: 'ch_session=made-up' })).rejects.toThrow(/UNAUTHORIZED/);
  });

  it('refuses a subscription outside the scope, and sends a manager their compound', async () => {
    const qian = await live('qian');
    const refused = await qian.subscribe({ compounds: ['h1'], detail: 'devices' });
    expect(refused).toMatchObject({ ok: false, error: 'FORBIDDEN' });
    const answer = await qian.subscribe({ compounds: ['h2'], detail: 'devices' });
    if (!answer.ok) throw new Error(answer.message);
    expect(answer.snapshot.compounds.map((c) => c.id)).toEqual(['h2']);
    expect(new Set(answer.snapshot.devices.map((d) => d.compound))).toEqual(new Set(['h2']));
    expect(answer.snapshot.devices).toHaveLength(devices.filter((d) => d.compound === 'h2').length);
  });

  it('pushes device changes of the subscribed compound only, batched to at most 10 a second', async () => {
    const zhao = await live('zhao');
    const qian = await live('qian');
    expect((await zhao.subscribe({ compounds: ['h1'], detail: 'devices' })).ok).toBe(true);
    expect((await qian.subscribe({ compounds: ['h2'], detail: 'devices' })).ok).toBe(true);
    const lane = devices.find((d) => d.compound === 'h1' && d.type === 'fire_lane')!;
    const started = Date.now();
    // 60 samples as fast as the broker takes them: the dashboard gets a few batches, the last state wins.
    await publish(lane, 'telemetry', Array.from({ length: 60 }, (_, i) => ({ occupied: i % 2 === 0, objectType: 'car', confidence: i / 100, seq: i + 1 })));
    await expect
      .poll(() => zhao.batches.flatMap((b) => b.devices).filter((d) => d.device === lane.device).at(-1)?.fields.confidence, { timeout: 5000 })
      .toBe(0.59);
    const seconds = Math.max(1, (Date.now() - started) / 1000);
    expect(zhao.batches.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 1);
    expect(zhao.batches.length).toBeLessThan(60);
    expect(qian.batches.flatMap((b) => b.devices).some((d) => d.compound === 'h1')).toBe(false);
  });

  it('pushes a new alert to the assigned worker and the compound, not to another compound; a reconnect gets it in the snapshot', async () => {
    const wang = await live('wang');
    const watcher = await live('zhao');
    const qian = await live('qian');
    expect((await wang.subscribe({ mine: true })).ok).toBe(true);
    expect((await watcher.subscribe({ compounds: ['h1', 'h2'], detail: 'summary' })).ok).toBe(true);
    expect((await qian.subscribe({ compounds: ['h2'], detail: 'devices' })).ok).toBe(true);
    const elevator = devices.find((d) => d.compound === 'h1' && d.type === 'elevator')!;
    await publish(elevator, 'event', [{ event: 'trapped' }]);
    await expect.poll(() => wang.batches.flatMap((b) => b.alerts).find((a) => a.ruleId === 'elevator-trapped')?.assignee, { timeout: 5000 }).toBe('wang');
    const alert = wang.batches.flatMap((b) => b.alerts).find((a) => a.ruleId === 'elevator-trapped')!;
    await expect.poll(() => watcher.batches.flatMap((b) => b.compounds).filter((c) => c.id === 'h1').at(-1)?.openAlerts.critical).toBe(1);
    expect(watcher.batches.flatMap((b) => b.devices)).toEqual([]); // a summary carries no device states
    await sleep(300);
    expect(qian.batches.flatMap((b) => b.alerts)).toEqual([]);

    // The worker accepts over HTTP; the socket hears it.
    expect((await postJson(hub, `/api/alerts/${alert.id}/accept`, {}, 'wang')).status).toBe(200);
    await expect.poll(() => wang.batches.flatMap((b) => b.alerts).filter((a) => a.id === alert.id).at(-1)?.workflow).toBe('accepted');

    // Reassigned to li: wang hears it left him, li's snapshot has it.
    expect((await postJson(hub, `/api/alerts/${alert.id}/reassign`, { assignee: 'li' }, 'zhao')).status).toBe(200);
    await expect.poll(() => wang.batches.flatMap((b) => b.alerts).filter((a) => a.id === alert.id).at(-1)?.assignee).toBe('li');
    const li = await live('li');
    const snapshot = await li.subscribe({ mine: true });
    // Its own alerts only (on a slow run the fire lane of the last test may have gone offline meanwhile, and been li's).
    if (!snapshot.ok) throw new Error(snapshot.message);
    expect(snapshot.snapshot.alerts.map((a) => a.id)).toContain(alert.id);
    expect(new Set(snapshot.snapshot.alerts.map((a) => a.assignee))).toEqual(new Set(['li']));

    // A dashboard that was away gets the alert in the fresh snapshot of its next subscription.
    watcher.close();
    const back = await live('zhao');
    const again = await back.subscribe({ compounds: ['h1'], detail: 'devices' });
    expect(again.ok && again.snapshot.alerts.map((a) => a.id)).toContain(alert.id);
  });

  it('tells the socket its session ended and closes it on logout', async () => {
    const login = await fetch(`${hub.info.httpUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'qian', password: 'test-password-1' }),
    });
    const session = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const client = await live('qian', { cookie: session });
    const ended = new Promise<void>((resolve) => client.socket.once('session_ended', resolve));
    const closed = new Promise<string>((resolve) => client.socket.once('disconnect', resolve));
    await fetch(`${hub.info.httpUrl}/api/auth/logout`, { method: 'POST', headers: { cookie: session } });
    await ended;
    expect(await closed).toBe('io server disconnect');
  });

  it('answers malformed subscriptions with BAD_REQUEST and keeps running', async () => {
    const zhao = await live('zhao');
    const send = (request: unknown) => zhao.socket.timeout(5000).emitWithAck('subscribe', request as never);
    for (const bad of [null, 'h1', 42, [], { compounds: 'h1' }, { compounds: [1] }, { compounds: ['h1'], detail: 'everything' }, { mine: 'yes' }, { compounds: Array.from({ length: 10_001 }, () => 'h1') }]) {
      expect(await send(bad), JSON.stringify(bad)?.slice(0, 40)).toMatchObject({ ok: false, error: 'BAD_REQUEST' });
    }
    zhao.socket.emit('subscribe', { compounds: ['h1'] }, null as never); // no answer callback: ignored
    expect((await zhao.subscribe({ compounds: ['h1'] })).ok).toBe(true);
    expect((await fetch(`${hub.info.httpUrl}/healthz`)).status).toBe(200);
  });

  it('refuses a socket opened from another site', async () => {
    const cookie = await loginCookie(hub, 'zhao');
    const { io } = await import('socket.io-client');
    const socket = io(hub.info.httpUrl, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie, origin: 'http://evil.example' } });
    const outcome = await new Promise<string>((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('connect_error', () => resolve('refused'));
    });
    socket.close();
    expect(outcome).toBe('refused');
  });
});
