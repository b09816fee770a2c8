/**
 * Fault suite: storage refuses. InfluxDB answers 400 for some lines of a batch (a field whose
 * type something else fixed first, a point beyond the retention policy): the rest of the batch
 * is stored, the refused points are counted, nothing is retried. The spool's disk fills up
 * (a tiny SPOOL_MAX_MB during an outage): ingest pauses, /readyz says so, nothing acknowledged
 * is lost. The data dir cannot be written: the hub says so on /readyz and keeps storing live.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed, onTestFinished } from 'vitest';
import mqtt from 'mqtt';
import { influxQuery, startLocalInfluxd, type LocalInfluxd, type StoreSettings } from '../../src/store/index.ts';
import { deviceTopic } from '../../src/contracts/topics.ts';
import { startSimulation } from '../../simulators/sim.runner.ts';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.ts';
import { checkDelivery, DeliveryLedger, lostRanges, seqRanges, settledDelivery, storedSeqs } from '../helpers/delivery-check.ts';
import { sleep, tempDir } from '../helpers/temp-dir.ts';
import { startPostgres } from '../helpers/postgres.ts';
import { getJson, writeFleetRegistry } from '../helpers/test-hub.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let influx: LocalInfluxd;
let hub: HubProcess | undefined;
const settingsOf = (database: string): StoreSettings => ({ url: influx.url, api: 'v1', database });

/** A hub (embedded broker) on its own data dir and database, with 14 devices publishing 40 times a second each. */
async function hubWithLoad(name: string, env: Record<string, string> = {}) {
  await mkdir(`${dir.path}/${name}`, { recursive: true });
  const registry = await writeFleetRegistry(`${dir.path}/${name}`, [`${name}1`, `${name}2`]);
  hub = await startHubProcess({ DATA_DIR: `${dir.path}/${name}/data`, REGISTRY_FILE: registry.file, INFLUX_URL: influx.url, INFLUX_DATABASE: `faults_${name}`, ...env });
  const ledger = new DeliveryLedger();
  const sim = startSimulation({
    url: hub.info.brokerUrl,
    devices: registry.devices,
    intervalMs: 25,
    seed: 31,
    reconnect: { minMs: 200, maxMs: 1000 },
    onPublished: ledger.record,
  });
  await sim.ready;
  return { hub, sim, ledger, devices: registry.devices, settings: settingsOf(`faults_${name}`) };
}

beforeAll(async () => {
  dir = await tempDir('faults-storage');
  influx = await startLocalInfluxd({ dataDir: `${dir.path}/influxdb` });
});
beforeEach(() => onTestFailed(() => console.error(`hub log:\n${hub?.log().slice(-20_000)}`)));
afterAll(async () => {
  await hub?.stop();
  await influx?.stop();
  await dir?.remove();
});

describe('fault suite: storage refuses', () => {
  it('InfluxDB refuses lines of a batch (a point beyond the retention policy, a field type conflict): the rest is stored, the refused are counted, nothing is retried', async () => {
    const settings = settingsOf('faults_refuse');
    // A one-hour retention policy, and `tiltDeg` made a string by another writer before the hub writes a float.
    await influxQuery(settings, 'CREATE DATABASE "faults_refuse" WITH DURATION 1h', {}, { database: false });
    const conflict = await fetch(`${influx.url}/write?db=faults_refuse&precision=ms`, { method: 'POST', body: `manhole,compound=r1,device=other tiltDeg="broken" ${Date.now()}` });
    expect(conflict.status).toBe(204);

    // One line beyond the retention policy, two hours old (the hub keeps 90 days), with good ones around it.
    await mkdir(`${dir.path}/refuse`, { recursive: true });
    const { file, devices } = await writeFleetRegistry(`${dir.path}/refuse`, ['r1', 'r2']);
    hub = await startHubProcess({ DATA_DIR: `${dir.path}/refuse/data`, REGISTRY_FILE: file, INFLUX_URL: influx.url, INFLUX_DATABASE: 'faults_refuse' });
    const space = devices.find((d) => d.type === 'parking')!;
    const client = await mqtt.connectAsync(hub.info.brokerUrl, { username: space.key, clientId: space.key, password: space.secret, reconnectPeriod: 0 });
    const topic = deviceTopic('compounds', space, 'telemetry');
    const now = Date.now();
    // (Seqs far from the simulator's, which runs this device later: its counter starting over is taken as a restart.)
    for (const [seq, ts] of [[900_001, now - 3000], [900_002, now - 2 * 3_600_000], [900_003, now - 1000]] as const) {
      await client.publishAsync(topic, JSON.stringify({ ts, seq, occupied: true }), { qos: 1 });
    }
    await client.endAsync();
    await expect.poll(() => hub!.metric('compound_hub_points_dropped_total', { reason: 'rejected_by_influxdb' }), { timeout: 10_000 }).toBe(1);
    expect((await storedSeqs(settings)).get(space.key)?.sort()).toEqual([900_001, 900_003]);

    // Under load: every manhole sample carries a float tiltDeg, which the measurement refuses now.
    const ledger = new DeliveryLedger();
    const coverSamples = new Map<string, number[]>();
    const sim = startSimulation({
      url: hub.info.brokerUrl, devices, intervalMs: 50, seed: 32, reconnect: { minMs: 200, maxMs: 1000 },
      onPublished(key, message) {
        ledger.record(key, message);
        if (key.includes('/manhole/') && message.channel === 'telemetry') coverSamples.set(key, (coverSamples.get(key) ?? []).concat(message.payload.seq!));
      },
    });
    await sim.ready;
    await sleep(3000);
    await sim.stop();
    const report = await settledDelivery(settings, ledger);
    const refused = [...coverSamples.values()].reduce((n, seqs) => n + seqs.length, 0);
    console.info(JSON.stringify({ scenario: 'influx-400', acknowledged: report.acknowledged, stored: report.stored, refused }));
    // Exactly the manhole samples are missing; everything else in the same batches is stored.
    expect(lostRanges(report)).toEqual(Object.fromEntries([...coverSamples].map(([key, seqs]) => [key, seqRanges(seqs)])));
    expect(report.duplicated).toEqual({});
    expect(await hub.metric('compound_hub_points_dropped_total', { reason: 'rejected_by_influxdb' })).toBe(1 + refused);
    // Not retried, not spooled: once the load stops, no write request goes out.
    const requests = await hub.metric('compound_hub_write_latency_seconds_count');
    await sleep(1500);
    expect(await hub.metric('compound_hub_write_latency_seconds_count')).toBe(requests);
    const { body } = await hub.readyz();
    expect(body.storage).toMatchObject({ connected: true, spoolLines: 0 });
    await hub.stop();
  }, 90_000);

  it('the spool fills its disk bound (SPOOL_MAX_MB=1) during an outage: ingest pauses, /readyz says so, no crash, nothing acknowledged lost', async () => {
    const run = await hubWithLoad('full', { SPOOL_MAX_MB: '1' });
    influx.kill('SIGKILL');
    await expect.poll(async () => (await run.hub.readyz()).status, { timeout: 60_000, interval: 500 }).toBe(503);
    const { body } = await run.hub.readyz();
    expect(body.storage.accepting).toBe(false);
    expect(body.warnings).toContain('storage backpressure: ingest is paused until the spool drains');
    expect(body.storage.spoolBytes).toBeLessThanOrEqual(1024 * 1024);
    const held = run.ledger.total;
    await sleep(3000);
    // Paused: devices get no acknowledgements, the hub is alive and holds its memory.
    expect(run.ledger.total - held).toBeLessThan(run.devices.length * 2);
    expect(run.hub.pid).toBeDefined();
    await influx.restart();
    await expect.poll(async () => (await run.hub.readyz()).status, { timeout: 60_000, interval: 500 }).toBe(200);
    await sleep(2000);
    // Devices held back by the hub were not offline: no alert says they were (the simulator's goodbye, next, will).
    const open = await getJson(run.hub, '/api/alerts?open=true');
    expect(open.alerts.filter((a: { ruleId: string }) => a.ruleId === 'device-offline')).toEqual([]);
    await run.sim.stop();
    const report = await settledDelivery(run.settings, run.ledger);
    console.info(JSON.stringify({ scenario: 'spool-full', acknowledged: report.acknowledged, stored: report.stored, spoolFull: await run.hub.metric('compound_hub_points_dropped_total', { reason: 'spool_full' }) }));
    expect(lostRanges(report)).toEqual({});
    expect(report.duplicated).toEqual({});
    expect(await run.hub.metric('compound_hub_points_dropped_total')).toBe(0);
    await run.hub.stop();
  }, 120_000);

  it('the data dir cannot be written: with its database on PostgreSQL the hub starts, /readyz shows why, readings are stored live; on SQLite there it says so and stops', async () => {
    await writeFile(`${dir.path}/blocker`, 'a file where the data dir should be');
    await mkdir(`${dir.path}/ro`, { recursive: true });
    const { file, devices } = await writeFleetRegistry(`${dir.path}/ro`, ['u1']);
    // The operational database is in the data dir by default: no database, no hub, and it names the file.
    const refused = await startHubProcess({ DATA_DIR: `${dir.path}/blocker/data`, REGISTRY_FILE: file, INFLUX_URL: influx.url, INFLUX_DATABASE: 'faults_ro' }).then(
      () => 'started',
      (error: unknown) => String(error),
    );
    expect(refused).toMatch(/blocker\/data\/hub\.db cannot be opened as the operational database/);
    const pg = await startPostgres();
    onTestFinished(() => pg.stop());
    hub = await startHubProcess({ DATA_DIR: `${dir.path}/blocker/data`, REGISTRY_FILE: file, INFLUX_URL: influx.url, INFLUX_DATABASE: 'faults_ro', DATABASE_URL: await pg.createDatabase() });
    const { body } = await hub.readyz();
    expect(body.storage.lastError).toMatch(/spool .*ENOTDIR/);
    expect(body.warnings.join('\n')).toMatch(/spool/i);
    const ledger = new DeliveryLedger();
    const sim = startSimulation({ url: hub.info.brokerUrl, devices, intervalMs: 50, seed: 33, onPublished: ledger.record });
    await sim.ready;
    await sleep(2000);
    await sim.stop();
    const report = await settledDelivery(settingsOf('faults_ro'), ledger);
    expect(lostRanges(report)).toEqual({});
    expect(report.acknowledged).toBeGreaterThan(0);
    expect(hub.pid).toBeDefined();
    expect(await checkDelivery(settingsOf('faults_ro'), ledger)).toMatchObject({ lost: {}, duplicated: {} });
    await hub.stop();
  }, 60_000);
});
