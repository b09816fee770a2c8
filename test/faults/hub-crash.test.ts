/**
 * Fault suite: the hub killed hard (SIGKILL) under load, then started again. With an external
 * broker (Mosquitto, the hub's persistent session, QoS 1) the broker keeps what the hub had not
 * acknowledged; what the hub had acknowledged but not yet made durable (its write buffer) is the
 * loss bound, measured here: it must stay within the last flush interval before the kill. The
 * embedded broker acknowledges devices before the hub takes their messages; the same bound is
 * measured for it. The same kill with devices that send no `ts` (the hub stamps them on receipt,
 * so the backlog the broker replays after the restart puts many readings of a device in one
 * millisecond): every reading must still be a point of its own.
 */
import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalInfluxd, type LocalInfluxd, type StoreSettings } from '../../src/store/index.ts';
import type { FleetDevice } from '../../simulators/fleet.ts';
import { startSimulation } from '../../simulators/sim.runner.ts';
import { startLoad } from '../../simulators/load.runner.ts';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.ts';
import { DeliveryLedger, lostCount, settledDelivery } from '../helpers/delivery-check.ts';
import { alertHistory } from '../helpers/alert-check.ts';
import { sleep, tempDir } from '../helpers/temp-dir.ts';
import { getJson, writeFleetRegistry } from '../helpers/test-hub.ts';

const INTERVAL_MS = 50;
/** The hub's default INFLUX_FLUSH_INTERVAL. */
const FLUSH_INTERVAL_MS = 200;

let dir: Awaited<ReturnType<typeof tempDir>>;
let influx: LocalInfluxd;
let broker: Mosquitto;
const hubs: HubProcess[] = [];

beforeAll(async () => {
  dir = await tempDir('faults-crash');
  // Mosquitto keeps at most 1000 messages for an offline session unless told otherwise (README: external broker).
  [influx, broker] = await Promise.all([startLocalInfluxd({ dataDir: `${dir.path}/influxdb` }), startMosquitto({ extraConfig: 'max_queued_messages 0' })]);
});
afterAll(async () => {
  await Promise.all(hubs.map((h) => h.stop()));
  await Promise.all([influx?.stop(), broker?.stop()]);
  await dir?.remove();
});

/**
 * Devices publish steadily; the hub is killed with SIGKILL, stays down a moment, comes back.
 * Returns the delivery report and where in the order of acknowledgements the kill fell.
 */
async function crashUnderLoad(name: string, hubEnv: (registryFile: string) => Record<string, string>, brokerUrl: (hub: HubProcess) => string) {
  const compounds = [`${name}1`, `${name}2`, `${name}3`, `${name}4`, `${name}5`, `${name}6`];
  await mkdir(`${dir.path}/${name}`);
  const registry = await writeFleetRegistry(`${dir.path}/${name}`, compounds);
  const database = `faults_${name}`;
  const hub = await startHubProcess({ DATA_DIR: `${dir.path}/data-${name}`, INFLUX_URL: influx.url, INFLUX_DATABASE: database, ...hubEnv(registry.file) });
  hubs.push(hub);
  const settings: StoreSettings = { url: influx.url, api: 'v1', database };
  const ledger = new DeliveryLedger();
  const devices: FleetDevice[] = registry.devices;
  const sim = startSimulation({ url: brokerUrl(hub), devices, intervalMs: INTERVAL_MS, seed: 11, onPublished: ledger.record, reconnect: { minMs: 200, maxMs: 1000 } });
  await sim.ready;
  // An alert open before the kill must not be raised again after it.
  const cover = devices.find((d) => d.type === 'manhole')!.key;
  sim.fault(cover, 'open');
  await expect.poll(async () => (await getJson(hub, '/api/alerts?open=true')).alerts.length, { timeout: 20_000 }).toBeGreaterThan(0);
  await sleep(500); // open-alerts.json is written within 100 ms of a change
  const rate = ledger.total; // messages acknowledged so far…
  const t0 = Date.now();
  await sleep(2000);
  const perSecond = ((ledger.total - rate) * 1000) / (Date.now() - t0);
  hub.kill('SIGKILL');
  const killedAt = ledger.total;
  expect(await hub.exited()).toEqual({ code: null, signal: 'SIGKILL' });
  await sleep(2000);
  await hub.restart();
  await sleep(3000);
  await sim.stop();
  const report = await settledDelivery(settings, ledger);
  const places = Object.entries(report.lost).flatMap(([device, seqs]) => seqs.map((seq) => ledger.place(device, seq)! - killedAt));
  const alerts = await alertHistory(settings);
  return { report, perSecond, places, cover, alerts, hub };
}

/**
 * The load generator without `ts` (compound-sim --rate … --no-ts) into the external broker; the hub is
 * killed, stays down 2 s while the broker queues for its session, and comes back to that backlog.
 */
async function crashUnderTsLessLoad(name: string) {
  await mkdir(`${dir.path}/${name}`);
  // Few devices, each at ~60 msg/s: a backlog of over a hundred readings per device.
  const registry = await writeFleetRegistry(`${dir.path}/${name}`, [`${name}1`]);
  const database = `faults_${name}`;
  const hub = await startHubProcess({
    DATA_DIR: `${dir.path}/data-${name}`, INFLUX_URL: influx.url, INFLUX_DATABASE: database, REGISTRY_FILE: registry.file, MQTT_URL: broker.url, MQTT_CLIENT_ID: `hub-faults-crash-${name}`,
  });
  hubs.push(hub);
  const settings: StoreSettings = { url: influx.url, api: 'v1', database };
  const ledger = new DeliveryLedger();
  const load = startLoad({
    url: broker.url, devices: registry.devices, qos: 1, rate: 400, durationMs: 120_000, alertShare: 0, inflight: 16, topicRoot: 'compounds', seed: 12,
    connectConcurrency: 20, connection: 'per-device', ts: false, onAcked: ledger.record,
  });
  await load.ready;
  await sleep(1000);
  const rate = ledger.total;
  const t0 = Date.now();
  await sleep(2000);
  const perSecond = ((ledger.total - rate) * 1000) / (Date.now() - t0);
  hub.kill('SIGKILL');
  const killedAt = ledger.total;
  expect(await hub.exited()).toEqual({ code: null, signal: 'SIGKILL' });
  await sleep(2000);
  const backlog = ledger.total - killedAt;
  await hub.restart();
  await sleep(3000);
  load.stop();
  const done = await load.done;
  const report = await settledDelivery(settings, ledger);
  const placeOf = (entries: Record<string, number[]>) => Object.entries(entries).flatMap(([device, seqs]) => seqs.map((seq) => ledger.place(device, seq)! - killedAt));
  return { report, perSecond, backlog, errors: done.errors, lostPlaces: placeOf(report.lost), duplicatedPlaces: placeOf(report.duplicated) };
}

describe('fault suite: the hub killed (SIGKILL) under load', () => {
  it('external broker, persistent session, QoS 1: the restarted hub loses nothing the broker held, and at most the last flush interval it had taken', async () => {
    const run = await crashUnderLoad('x', (registryFile) => ({ REGISTRY_FILE: registryFile, MQTT_URL: broker.url, MQTT_CLIENT_ID: 'hub-faults-crash' }), () => broker.url);
    const bound = Math.ceil((run.perSecond * FLUSH_INTERVAL_MS) / 1000);
    console.info(JSON.stringify({ scenario: 'hub-kill-external', perSecond: Math.round(run.perSecond), acknowledged: run.report.acknowledged, lost: lostCount(run.report), bound, places: [Math.min(...run.places), Math.max(...run.places)] }));
    expect(run.report.duplicated).toEqual({});
    expect(lostCount(run.report)).toBeLessThanOrEqual(2 * bound);
    // Only messages taken just before the kill are at risk: nothing older, nothing the broker held while the hub was down.
    for (const place of run.places) expect(place).toBeGreaterThan(-3 * bound);
    for (const place of run.places) expect(place).toBeLessThan(bound);
    expect(run.alerts[`${run.cover} manhole-open`]).toMatchObject({ alerts: [expect.any(String)], raised: 1 });
  }, 120_000);

  it('embedded broker: devices reconnect to the restarted hub; the loss is at most the last flush interval it had taken', async () => {
    const run = await crashUnderLoad('e', (registryFile) => ({ REGISTRY_FILE: registryFile }), (hub) => hub.info.brokerUrl);
    const bound = Math.ceil((run.perSecond * FLUSH_INTERVAL_MS) / 1000);
    console.info(JSON.stringify({ scenario: 'hub-kill-embedded', perSecond: Math.round(run.perSecond), acknowledged: run.report.acknowledged, lost: lostCount(run.report), bound, places: [Math.min(...run.places), Math.max(...run.places)] }));
    expect(run.report.duplicated).toEqual({});
    expect(lostCount(run.report)).toBeLessThanOrEqual(2 * bound);
    for (const place of run.places) expect(place).toBeGreaterThan(-3 * bound);
    for (const place of run.places) expect(place).toBeLessThan(bound);
    expect(run.alerts[`${run.cover} manhole-open`]).toMatchObject({ alerts: [expect.any(String)], raised: 1 });
  }, 120_000);

  it('external broker, devices without ts (the hub stamps them): the backlog replayed after the restart is stored reading by reading; the loss bound holds', async () => {
    const run = await crashUnderTsLessLoad('t');
    const bound = Math.ceil((run.perSecond * FLUSH_INTERVAL_MS) / 1000);
    const lost = lostCount(run.report);
    const span = (places: number[]) => (places.length ? [Math.min(...places), Math.max(...places)] : []);
    console.info(JSON.stringify({ scenario: 'hub-kill-external-no-ts', perSecond: Math.round(run.perSecond), acknowledged: run.report.acknowledged, stored: run.report.stored, backlog: run.backlog, lost, bound, lostPlaces: span(run.lostPlaces), duplicatedPlaces: span(run.duplicatedPlaces) }));
    expect(run.errors).toBe(0);
    expect(run.backlog).toBeGreaterThan(100); // the broker held a backlog for the hub's session
    expect(lost).toBeLessThanOrEqual(2 * bound);
    for (const place of run.lostPlaces) expect(place).toBeGreaterThan(-3 * bound);
    for (const place of run.lostPlaces) expect(place).toBeLessThan(bound);
    // Without ts a redelivery is a reading of its own time: only a message the hub had taken at the kill
    // but whose acknowledgement died with it can be stored twice (counted once by seq).
    for (const place of run.duplicatedPlaces) expect(place).toBeGreaterThan(-3 * bound);
    for (const place of run.duplicatedPlaces) expect(place).toBeLessThan(bound);
  }, 120_000);
});
