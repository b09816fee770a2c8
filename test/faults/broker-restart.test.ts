/**
 * Fault suite: the external broker (Mosquitto, persistence on) goes down under load and comes
 * back. The hub and the simulated devices reconnect, the devices with jittered backoff rather
 * than all at once; a live dashboard socket gets device updates again; every message the
 * broker acknowledged reaches InfluxDB once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { startLocalInfluxd, type LocalInfluxd, type StoreSettings } from '../../src/store/index.ts';
import { startSimulation, type Simulation } from '../../simulators/sim.runner.ts';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.ts';
import { DeliveryLedger, lostRanges, settledDelivery } from '../helpers/delivery-check.ts';
import { connectLive, type LiveClient } from '../helpers/live-client.ts';
import { sleep, tempDir } from '../helpers/temp-dir.ts';
import { writeFleetRegistry } from '../helpers/test-hub.ts';

const COMPOUNDS = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'];
let dir: Awaited<ReturnType<typeof tempDir>>;
let influx: LocalInfluxd;
let broker: Mosquitto;
let hub: HubProcess;
let sim: Simulation | undefined;
let live: LiveClient | undefined;
const settings = (): StoreSettings => ({ url: influx.url, api: 'v1', database: 'faults_broker' });

beforeAll(async () => {
  dir = await tempDir('faults-broker');
  [influx, broker] = await Promise.all([
    startLocalInfluxd({ dataDir: `${dir.path}/influxdb` }),
    // As README.md asks of an external broker: keep an offline session's messages, and keep them across a restart
    // (without persistence, devices back before the hub has subscribed again publish to nobody).
    startMosquitto({ extraConfig: 'max_queued_messages 0', persistence: true }),
  ]);
  const registry = await writeFleetRegistry(dir.path, COMPOUNDS);
  hub = await startHubProcess({ DATA_DIR: `${dir.path}/data`, REGISTRY_FILE: registry.file, INFLUX_URL: influx.url, INFLUX_DATABASE: 'faults_broker', MQTT_URL: broker.url, MQTT_CLIENT_ID: 'hub-faults-broker' });
});
beforeEach(() => onTestFailed(() => console.error(`hub log:\n${hub.log().slice(-20_000)}\nmosquitto log:\n${broker.log().slice(-5000)}`)));
afterAll(async () => {
  live?.close();
  await sim?.stop();
  await hub?.stop();
  await Promise.all([influx?.stop(), broker?.stop()]);
  await dir?.remove();
});

describe('fault suite: the broker restarts under load', () => {
  it('hub and devices reconnect (devices spread out by jitter), the live dashboard gets updates again, every acknowledged message is stored once', async () => {
    const registry = await writeFleetRegistry(dir.path, COMPOUNDS);
    const ledger = new DeliveryLedger();
    let downAt = 0;
    const backAt = new Map<string, number>();
    sim = startSimulation({
      url: broker.url,
      devices: registry.devices,
      intervalMs: 50,
      seed: 21,
      reconnect: { minMs: 500, maxMs: 4000 },
      onPublished(key, message) {
        ledger.record(key, message);
        if (downAt && !backAt.has(key)) backAt.set(key, Date.now());
      },
    });
    await sim.ready;
    live = await connectLive(hub, 'root');
    expect(await live.subscribe({ compounds: ['b1'], detail: 'devices' })).toMatchObject({ ok: true });
    await expect.poll(() => live!.batches.length, { timeout: 10_000 }).toBeGreaterThan(2);

    broker.kill('SIGTERM');
    downAt = Date.now();
    await expect.poll(async () => (await hub.readyz()).body.broker.connected, { timeout: 10_000 }).toBe(false);
    expect((await hub.readyz()).status).toBe(503);
    const batchesWhileDown = live.batches.length;
    await sleep(2000);
    await broker.restart();

    await expect.poll(async () => (await hub.readyz()).body.broker.connected, { timeout: 20_000 }).toBe(true);
    await expect.poll(() => sim!.stats().connected, { timeout: 20_000 }).toBe(registry.devices.length);
    await expect.poll(() => backAt.size, { timeout: 20_000 }).toBe(registry.devices.length);
    // Live dashboards recover: device updates with samples taken after the restart.
    await expect.poll(() => live!.batches.slice(batchesWhileDown).some((b) => b.devices.some((d) => (d.lastTelemetryTs ?? 0) > downAt + 2000)), { timeout: 10_000 }).toBe(true);
    await sleep(3000);
    await sim.stop();

    const stats = sim.stats();
    expect(stats.reconnects).toBeGreaterThanOrEqual(registry.devices.length);
    // Jitter: the devices did not all come back in one burst.
    const slots = new Set([...backAt.values()].map((t) => Math.floor(t / 100)));
    expect(slots.size).toBeGreaterThanOrEqual(4);

    const report = await settledDelivery(settings(), ledger);
    console.info(JSON.stringify({ scenario: 'broker-restart', acknowledged: report.acknowledged, stored: report.stored, reconnects: stats.reconnects, reconnectSlots100ms: slots.size }));
    expect(lostRanges(report)).toEqual({});
    expect(report.duplicated).toEqual({});
  }, 120_000);
});
