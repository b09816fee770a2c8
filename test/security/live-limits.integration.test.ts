/**
 * The live socket's limits on a real hub (issue 15, item 7): one socket flooding `subscribe`
 * gets a bounded number of snapshots, the rest refused RATE_LIMITED and counted, while the hub
 * keeps answering `/healthz`; one login session opens at most LIVE_MAX_SOCKETS_PER_SESSION
 * sockets, the next is refused TOO_MANY_SOCKETS at the handshake and counted; a view asks for
 * the page of devices it shows and hears of those only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import {
  LIVE_MAX_SOCKETS_PER_SESSION,
  LIVE_REQUEST_BURST,
  LIVE_REQUESTS_PER_SEC,
  LIVE_SNAPSHOT_BURST,
  LIVE_SNAPSHOTS_PER_SEC,
  type SubscribeAnswer,
} from '../../src/contracts/live-events.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { getJson, startTestHub, writeFleetRegistry } from '../helpers/test-hub.ts';
import { connectLive, type LiveClient } from '../helpers/live-client.ts';
import { metricValue } from '../helpers/metrics.ts';
import { publishAs } from '../helpers/device-publish.ts';
import type { FleetDevice } from '../../simulators/fleet.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let devices: FleetDevice[];
const open: LiveClient[] = [];
const refused = (reason: string) => metricValue(hub, 'compound_hub_live_refused_total', { reason });

beforeAll(async () => {
  dir = await tempDir('live-limits');
  const registry = await writeFleetRegistry(dir.path, ['h1', 'h2']);
  devices = registry.devices;
  hub = await startTestHub({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry.file });
});
afterAll(async () => {
  for (const socket of open) socket.close();
  await hub?.stop();
  await dir?.remove();
});

describe('live socket limits', () => {
  it('answers 2,000 subscribes from one socket with a bounded number of snapshots, refuses the rest and counts them; /healthz still answers', async () => {
    const client = await connectLive(hub, 'zhao');
    open.push(client);
    const [rateBefore, snapBefore] = [await refused('rate_limited'), await refused('snapshot_rate')];
    const started = Date.now();
    const answers: Promise<SubscribeAnswer>[] = [];
    for (let i = 0; i < 2000; i++) answers.push(client.subscribe({ compounds: ['h1'], detail: 'devices' }));
    // The hub answers others in the middle of the flood.
    const health = fetch(`${hub.info.httpUrl}/healthz`);
    const results = await Promise.all(answers);
    const seconds = (Date.now() - started) / 1000;
    expect((await health).status).toBe(200);

    const snapshots = results.filter((a) => a.ok).length;
    const refusedHere = results.filter((a) => !a.ok);
    expect(snapshots).toBeGreaterThanOrEqual(1);
    expect(snapshots).toBeLessThanOrEqual(LIVE_SNAPSHOT_BURST + Math.ceil(seconds * LIVE_SNAPSHOTS_PER_SEC) + 1);
    expect(refusedHere.length).toBe(2000 - snapshots);
    expect(refusedHere.every((a) => !a.ok && a.error === 'RATE_LIMITED')).toBe(true);
    // Request tokens: at most the burst plus the refill went through to the subscribe handler.
    const rate = (await refused('rate_limited')) - rateBefore;
    const snap = (await refused('snapshot_rate')) - snapBefore;
    expect(2000 - rate).toBeLessThanOrEqual(LIVE_REQUEST_BURST + Math.ceil(seconds * LIVE_REQUESTS_PER_SEC) + 1);
    expect(rate + snap).toBe(2000 - snapshots);

    const started2 = Date.now();
    const res = await fetch(`${hub.info.httpUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(Date.now() - started2).toBeLessThan(1000);
    // The socket keeps its subscription and is still connected (2,000 in about a second is no 10 s flood).
    expect(client.socket.connected).toBe(true);
  });

  it(`refuses socket ${LIVE_MAX_SOCKETS_PER_SESSION + 1} of one login session at the handshake, and counts it`, async () => {
    const before = await refused('sockets_per_session');
    const mine: LiveClient[] = [];
    for (let i = 0; i < LIVE_MAX_SOCKETS_PER_SESSION; i++) mine.push(await connectLive(hub, 'wang'));
    open.push(...mine);
    await expect(connectLive(hub, 'wang')).rejects.toThrow('TOO_MANY_SOCKETS');
    expect(await refused('sockets_per_session')).toBe(before + 1);
    // And recorded, with who and from where.
    await expect
      .poll(async () => (await getJson<{ entries: Array<Record<string, unknown>> }>(hub, '/api/admin/audit?action=live_refused&limit=10')).entries)
      .toEqual([expect.objectContaining({ actor: 'wang', address: '127.0.0.1', target: 'live socket', note: expect.stringContaining('TOO_MANY_SOCKETS') })]);
    // Another login is not affected, and a closed socket makes room again.
    open.push(await connectLive(hub, 'li'));
    mine[0]!.close();
    await expect.poll(async () => {
      try {
        open.push(await connectLive(hub, 'wang'));
        return true;
      } catch {
        return false;
      }
    }, { timeout: 5000 }).toBe(true);
  });
});

describe('paged snapshots: a view gets the devices it shows', () => {
  it('sends one page of the devices a window selects, says how many match, and later batches carry only that page', async () => {
    const client = await connectLive(hub, 'zhao');
    open.push(client);
    const answer = await client.subscribe({ compounds: ['h1', 'h2'], detail: 'devices', devices: { types: ['elevator'], offset: 1, limit: 2 } });
    if (!answer.ok) throw new Error(answer.message);
    const elevators = devices.filter((d) => d.type === 'elevator');
    expect(answer.snapshot.page).toEqual({ offset: 1, limit: 2, total: elevators.length });
    const shown = answer.snapshot.devices.map((d) => `${d.compound}/${d.type}/${d.device}`);
    expect(shown).toHaveLength(2);
    // Totals stay whole: the compounds' summaries count every device.
    expect(answer.snapshot.compounds.map((c) => c.deviceCount)).toEqual([7, 7]);

    const inPage = elevators.find((d) => shown.includes(d.key))!;
    const outside = elevators.find((d) => !shown.includes(d.key))!;
    const manhole = devices.find((d) => d.type === 'manhole' && d.compound === 'h1')!;
    await publishAs(hub.info.brokerUrl, outside, 'telemetry', { floor: 3 });
    await publishAs(hub.info.brokerUrl, manhole, 'telemetry', { tiltDeg: 1 });
    await publishAs(hub.info.brokerUrl, inPage, 'telemetry', { floor: 7 });
    await expect.poll(() => client.batches.flatMap((b) => b.devices).some((d) => d.device === inPage.device && d.fields.floor === 7)).toBe(true);
    const heard = new Set(client.batches.flatMap((b) => b.devices.map((d) => `${d.compound}/${d.type}/${d.device}`)));
    expect([...heard]).toEqual([inPage.key]);

    // The next page, on the same socket: that page's devices now, and changes of those only.
    const next = await client.subscribe({ compounds: ['h1', 'h2'], detail: 'devices', devices: { types: ['elevator'], offset: 3, limit: 2 } });
    if (!next.ok) throw new Error(next.message);
    expect(next.snapshot.page).toEqual({ offset: 3, limit: 2, total: elevators.length });
    const nextShown = next.snapshot.devices.map((d) => `${d.compound}/${d.type}/${d.device}`);
    expect(nextShown.some((k) => shown.includes(k))).toBe(false);
    client.batches.length = 0;
    await publishAs(hub.info.brokerUrl, inPage, 'telemetry', { floor: 8 });
    const nowShown = elevators.find((d) => nextShown.includes(d.key))!;
    await publishAs(hub.info.brokerUrl, nowShown, 'telemetry', { floor: 9 });
    await expect.poll(() => client.batches.flatMap((b) => b.devices).some((d) => d.device === nowShown.device && d.fields.floor === 9)).toBe(true);
    expect(client.batches.flatMap((b) => b.devices).some((d) => d.device === inPage.device && d.compound === inPage.compound)).toBe(false);
  });

  it('refuses a malformed window, naming the field', async () => {
    const client = await connectLive(hub, 'zhao');
    open.push(client);
    const answer = await client.subscribe({ compounds: ['h1'], detail: 'devices', devices: { limit: 5000 } });
    expect(answer).toEqual({ ok: false, error: 'BAD_REQUEST', message: expect.stringMatching(/^devices\.limit: 1 … 1000/) });
  });
});
