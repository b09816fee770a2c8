/**
 * Fault suite: devices misbehave the way real ones do. QoS 1 redeliveries and messages
 * reordered on the way (shuffled `seq`) give one point each and no alert flapping; device
 * clocks that are off (an hour or ten years ahead, reset to 0, counting seconds, older than
 * the retention window) are refused or stored as design.md §4 says, and counted. The hub
 * runs as a child process with its embedded broker, on a real influxd 1.6.7.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { startLocalInfluxd, type LocalInfluxd, type StoreSettings } from '../../src/store/index.ts';
import { deviceTopic } from '../../src/contracts/topics.ts';
import type { FleetDevice } from '../../simulators/fleet.ts';
import { createRng } from '../../simulators/prng.ts';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.ts';
import { storedSeqs } from '../helpers/delivery-check.ts';
import { alertHistory } from '../helpers/alert-check.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { getJson, writeFleetRegistry } from '../helpers/test-hub.ts';

const DAY = 86_400_000;
let dir: Awaited<ReturnType<typeof tempDir>>;
let influx: LocalInfluxd;
let hub: HubProcess;
let devices: FleetDevice[];
const clients: MqttClient[] = [];
const settings = (): StoreSettings => ({ url: influx.url, api: 'v1', database: 'faults_devices' });

async function connectAs(device: FleetDevice): Promise<MqttClient> {
  const client = await mqtt.connectAsync(hub.info.brokerUrl, { username: device.key, password: device.secret, clientId: device.key, reconnectPeriod: 0 });
  clients.push(client);
  return client;
}

const rejected = (reason: string) => hub.metric('compound_hub_messages_rejected_total', { reason });

beforeAll(async () => {
  dir = await tempDir('faults-devices');
  influx = await startLocalInfluxd({ dataDir: `${dir.path}/influxdb` });
  const registry = await writeFleetRegistry(dir.path, ['d1']);
  devices = registry.devices;
  hub = await startHubProcess({ DATA_DIR: `${dir.path}/data`, REGISTRY_FILE: registry.file, INFLUX_URL: influx.url, INFLUX_DATABASE: 'faults_devices' });
});
beforeEach(() => onTestFailed(() => console.error(`hub log:\n${hub.log().slice(-20_000)}`)));
afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await hub?.stop();
  await influx?.stop();
  await dir?.remove();
});

describe('fault suite: devices that repeat, reorder and mistime', () => {
  it('QoS 1 redeliveries and shuffled seq: one point per message, and the water-level alert is raised once, without flapping', async () => {
    const cover = devices.find((d) => d.type === 'manhole')!;
    const client = await connectAs(cover);
    const topic = deviceTopic('compounds', cover, 'telemetry');
    const base = Date.now() - 60_000;
    // Water rises past the alarm level at seq 41 and stays there (manhole-water-high: > 150 cm, clears below 120).
    const message = (seq: number) => JSON.stringify({ ts: base + seq * 100, seq, waterLevelCm: seq <= 40 ? 100 : 200, batteryPct: 90 });
    const order = Array.from({ length: 120 }, (_, i) => i + 1);
    // Reordered in windows of 16, as a device's queue flushed over several connections may arrive.
    const rng = createRng(7);
    for (let start = 0; start < order.length; start += 16) {
      const window = order.slice(start, start + 16);
      for (let i = window.length - 1; i > 0; i -= 1) {
        const j = Math.floor(rng() * (i + 1));
        [window[i], window[j]] = [window[j]!, window[i]!];
      }
      order.splice(start, window.length, ...window);
    }
    expect(order.slice(32, 48)).not.toEqual(order.slice(32, 48).sort((a, b) => a - b));
    for (const seq of order) await client.publishAsync(topic, message(seq), { qos: 1 });
    // Redeliveries (the PUBACK was lost, the device sends again with DUP set): recent and older ones.
    const again = [118, 119, 120, 100, 64, 41, 40, 3];
    for (const seq of again) await client.publishAsync(topic, message(seq), { qos: 1, dup: true });

    await expect.poll(async () => (await storedSeqs(settings())).get(cover.key)?.length ?? 0, { timeout: 15_000 }).toBe(120);
    const stored = (await storedSeqs(settings())).get(cover.key)!;
    expect([...stored].sort((a, b) => a - b)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(await rejected('duplicate_seq')).toBe(again.length);

    const alerts = await alertHistory(settings());
    expect(alerts[`${cover.key} manhole-water-high`]).toEqual({ alerts: [expect.any(String)], raised: 1, cleared: 0, reactivated: 0 });
    const open = (await getJson(hub, '/api/alerts?open=true')).alerts.filter((a: { ruleId: string }) => a.ruleId === 'manhole-water-high');
    expect(open).toMatchObject([{ device: cover.device, condition: 'active', value: 200 }]);
    // Live state shows the newest sample, not the last one to arrive.
    const state = await getJson(hub, `/api/devices/${cover.compound}/manhole/${cover.device}`);
    expect(state.fields.waterLevelCm).toBe(200);
  });

  it('device clocks that are off: within 5 min ahead and within retention stored; further ahead, reset or too old refused and counted', async () => {
    const lane = devices.find((d) => d.type === 'fire_lane')!;
    const client = await connectAs(lane);
    const topic = deviceTopic('compounds', lane, 'telemetry');
    const now = Date.now();
    const cases = [
      { name: '4 min ahead', ts: now + 4 * 60_000, verdict: 'stored' },
      { name: '89 days old', ts: now - 89 * DAY, verdict: 'stored' },
      { name: '1 h ahead', ts: now + 3_600_000, verdict: 'future_timestamp' },
      { name: '10 years ahead', ts: now + 3650 * DAY, verdict: 'future_timestamp' },
      { name: 'clock reset to 0', ts: 0, verdict: 'schema' },
      { name: 'clock counting from boot', ts: 1000, verdict: 'too_old' },
      { name: 'seconds, not ms', ts: Math.floor(now / 1000), verdict: 'too_old' },
      { name: '91 days old', ts: now - 91 * DAY, verdict: 'too_old' },
    ];
    const before = Object.fromEntries(await Promise.all(['future_timestamp', 'schema', 'too_old'].map(async (r) => [r, await rejected(r)] as const)));
    let seq = 0;
    for (const c of cases) {
      seq += 1;
      await client.publishAsync(topic, JSON.stringify({ ts: c.ts, seq, occupied: false, objectType: 'unknown', confidence: 0.5 }), { qos: 1 });
    }
    const stored = cases.filter((c) => c.verdict === 'stored');
    await expect.poll(async () => (await storedSeqs(settings())).get(lane.key)?.length ?? 0, { timeout: 15_000 }).toBe(stored.length);
    expect((await storedSeqs(settings())).get(lane.key)!.sort()).toEqual(cases.flatMap((c, i) => (c.verdict === 'stored' ? [i + 1] : [])));
    for (const reason of ['future_timestamp', 'schema', 'too_old']) {
      expect(await rejected(reason), reason).toBe(before[reason]! + cases.filter((c) => c.verdict === reason).length);
    }
    const dead = await getJson(hub, '/api/dead-letters?limit=100');
    expect(dead.items.filter((d: { topic: string }) => d.topic === topic).map((d: { reason: string }) => d.reason).sort()).toEqual(
      cases.filter((c) => c.verdict !== 'stored').map((c) => c.verdict).sort(),
    );
  });
});
