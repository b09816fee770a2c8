/**
 * Every role against every kind of live subscription outside its scope, on a real hub: each
 * is refused and counted, the socket keeps the subscription it had, and nothing of the other
 * compound (devices, totals, alerts) reaches it, while users whose scope covers it do get it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import mqtt from 'mqtt';
import type { Hub } from '../../src/hub.ts';
import type { NewUser } from '../../src/auth/users.store.ts';
import type { LiveBatch, SubscribeRequest } from '../../src/contracts/live-events.ts';
import { deviceTopic } from '../../src/contracts/topics.ts';
import { TEST_PASSWORD, writeUsersFile } from '../../src/testing/access.fixture.ts';
import type { FleetDevice } from '../../simulators/fleet.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { getJson, postJson, startTestHub, writeFleetRegistry } from '../helpers/test-hub.ts';
import { connectLive, type LiveClient } from '../helpers/live-client.ts';
import { metricValue } from '../helpers/metrics.ts';

/** One user of each role scoped to h1, and two whose scope is everything. */
const USERS: NewUser[] = [
  { id: 'root', role: 'admin', password: TEST_PASSWORD },
  { id: 'district', role: 'viewer', password: TEST_PASSWORD },
  { id: 'mgr', role: 'manager', compounds: ['h1'], password: TEST_PASSWORD },
  { id: 'wkr', role: 'worker', password: TEST_PASSWORD },
  { id: 'view', role: 'viewer', compounds: ['h1'], password: TEST_PASSWORD },
  { id: 'other-wkr', role: 'worker', password: TEST_PASSWORD },
];
const SCOPED = ['mgr', 'wkr', 'view'];
const UNSCOPED = ['root', 'district'];

/** Subscriptions that reach into h2, in every shape the contract allows. */
const INTO_H2: SubscribeRequest[] = [
  { compounds: ['h2'] },
  { compounds: ['h2'], detail: 'devices' },
  { compounds: ['h2'], detail: 'summary' },
  { compounds: ['h1', 'h2'], detail: 'devices' },
  { compounds: ['h2', 'h1'], detail: 'summary' },
  { compounds: ['h2'], mine: true },
  { compounds: ['h1', 'h2'], detail: 'summary', mine: true },
];
/** Compounds nobody may follow: not in the registry. */
const UNKNOWN: SubscribeRequest[] = [{ compounds: ['h9'] }, { compounds: ['H1'] }, { compounds: ['h1', 'h9'], detail: 'summary' }, { compounds: ['__proto__'] }, { compounds: ['constructor'] }];

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let devices: FleetDevice[];
const sockets = new Map<string, LiveClient>();

/** Everything of `compound` a socket was ever sent. */
function seen(batches: LiveBatch[], compound: string): unknown[] {
  return batches.flatMap((b) => [...b.devices, ...b.compounds.map((c) => ({ ...c, compound: c.id })), ...b.alerts]).filter((x) => (x as { compound: string }).compound === compound);
}

async function publish(device: FleetDevice, channel: 'telemetry' | 'event', payload: object): Promise<void> {
  const client = await mqtt.connectAsync(hub.info.brokerUrl, { username: device.key, clientId: device.key, password: device.secret, reconnectPeriod: 0 });
  await client.publishAsync(deviceTopic('compounds', device, channel), JSON.stringify(payload), { qos: 1 });
  await client.endAsync();
}

beforeAll(async () => {
  dir = await tempDir('live-scopes');
  const registry = await writeFleetRegistry(dir.path, ['h1', 'h2']);
  devices = registry.devices;
  const alertsFile = `${dir.path}/alerts.json`;
  await writeFile(alertsFile, JSON.stringify({ grids: [{ id: 'g1', compounds: ['h1'], workers: ['wkr'] }, { id: 'g2', compounds: ['h2'], workers: ['other-wkr'] }] }));
  hub = await startTestHub({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry.file, ALERTS_FILE: alertsFile, USERS_FILE: await writeUsersFile(USERS) });
});
afterAll(async () => {
  for (const socket of sockets.values()) socket.close();
  await hub?.stop();
  await dir?.remove();
});

describe('live subscriptions outside the scope', () => {
  it('refuses every subscription into another compound for each scoped role, and unknown compounds for everyone', async () => {
    const forbidden = () => metricValue(hub, 'compound_hub_live_refused_total', { reason: 'forbidden' });
    const before = await forbidden();
    let refusals = 0;
    for (const user of [...SCOPED, ...UNSCOPED]) {
      const socket = await connectLive(hub, user);
      sockets.set(user, socket);
      const own = await socket.subscribe({ compounds: ['h1'], detail: 'devices' });
      expect(own.ok, user).toBe(true);
      const tries = SCOPED.includes(user) ? [...INTO_H2, ...UNKNOWN] : UNKNOWN;
      for (const request of tries) {
        const answer = await socket.subscribe(request);
        expect(answer, `${user} ${JSON.stringify(request)}`).toMatchObject({ ok: false, error: 'FORBIDDEN' });
        refusals += 1;
      }
    }
    expect(await forbidden()).toBe(before + refusals);
    // Those whose scope holds h2 get it: the matrix tells scopes apart, it does not refuse everything.
    for (const user of UNSCOPED) {
      const answer = await sockets.get(user)!.subscribe({ compounds: ['h1', 'h2'], detail: 'devices' });
      expect(answer.ok && new Set(answer.snapshot.devices.map((d) => d.compound)), user).toEqual(new Set(['h1', 'h2']));
    }
  });

  it('sends a refused socket nothing of the other compound, and what it follows as before', async () => {
    const h1 = devices.find((d) => d.compound === 'h1' && d.type === 'parking')!;
    const h2Lane = devices.find((d) => d.compound === 'h2' && d.type === 'fire_lane')!;
    const h2Elevator = devices.find((d) => d.compound === 'h2' && d.type === 'elevator')!;
    await publish(h2Lane, 'telemetry', { occupied: true, objectType: 'car', confidence: 0.9 });
    await publish(h2Elevator, 'event', { event: 'trapped' });
    // The trapped passenger in h2 reaches those who follow h2 …
    for (const user of UNSCOPED) {
      await expect.poll(() => sockets.get(user)!.batches.flatMap((b) => b.alerts).some((a) => a.compound === 'h2' && a.ruleId === 'elevator-trapped'), { timeout: 5000 }).toBe(true);
    }
    // … and an h1 change after it reaches everyone, so every socket is live and has been sent what it would get.
    await publish(h1, 'telemetry', { occupied: true, spaceKind: 'visitor' });
    for (const user of [...SCOPED, ...UNSCOPED]) {
      await expect.poll(() => sockets.get(user)!.batches.flatMap((b) => b.devices).some((d) => d.device === h1.device && d.fields.occupied === true), { timeout: 5000 }).toBe(true);
    }
    for (const user of SCOPED) expect(seen(sockets.get(user)!.batches, 'h2'), user).toEqual([]);
    for (const user of UNSCOPED) expect(seen(sockets.get(user)!.batches, 'h2').length, user).toBeGreaterThan(0);
  });

  it('never gives an alert to a worker who cannot see it: a reassign there is refused, and their feed stays empty of it', async () => {
    const other = await connectLive(hub, 'other-wkr');
    sockets.set('other-wkr:mine', other);
    expect((await other.subscribe({ mine: true })).ok).toBe(true);
    const h1Elevator = devices.find((d) => d.compound === 'h1' && d.type === 'elevator')!;
    await publish(h1Elevator, 'event', { event: 'trapped' });
    let alert: { id: string; assignee: string } | undefined;
    await expect.poll(async () => (alert = (await getJson(hub, '/api/alerts?compound=h1&open=true')).alerts.find((a: { ruleId: string }) => a.ruleId === 'elevator-trapped'))?.assignee).toBe('wkr');
    const takers = (await getJson(hub, `/api/alerts/${alert!.id}/assignees`)).people.map((p: { id: string }) => p.id);
    expect(takers).toContain('wkr');
    expect(takers).not.toContain('other-wkr');
    const refused = await postJson(hub, `/api/alerts/${alert!.id}/reassign`, { assignee: 'other-wkr' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toBe('ASSIGNEE_INVALID');
    // A later h1 step reaches wkr; other-wkr's feed never holds an h1 alert.
    await postJson(hub, `/api/alerts/${alert!.id}/comment`, { note: '已通知维保' });
    await expect.poll(() => sockets.get('wkr')!.batches.flatMap((b) => b.alerts).some((a) => a.id === alert!.id && a.history.some((e) => e.kind === 'commented')), { timeout: 5000 }).toBe(true);
    expect(other.batches.flatMap((b) => b.alerts).filter((a) => a.compound === 'h1')).toEqual([]);
  });
});
