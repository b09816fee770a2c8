/**
 * The fault suite's soak run (not in CI): the hub as a child process on an external Mosquitto
 * and a real influxd, simulated devices with random faults publishing QoS 1 with per-device
 * `seq`, and the broker restarted every minute. It samples the hub's heap and RSS, and at the
 * end checks that every acknowledged message is stored once, that no condition was alerted
 * twice, and that memory stayed level. Exit code 0 when all of that holds, 1 otherwise.
 *
 *   tsx test/faults/soak.ts [--duration 30m] [--restart-every 1m] [--interval 100ms] [--compounds 6]
 */
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseDurationMs } from '../../src/config/config.schema.ts';
import { startLocalInfluxd, type LocalInfluxd, type StoreSettings } from '../../src/store/index.ts';
import { startSimulation, type Simulation } from '../../simulators/sim.runner.ts';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.ts';
import { DeliveryLedger, lostCount, lostRanges, settledDelivery } from '../helpers/delivery-check.ts';
import { alertHistory } from '../helpers/alert-check.ts';
import { sleep, tempDir } from '../helpers/temp-dir.ts';
import { writeFleetRegistry } from '../helpers/test-hub.ts';

const MB = 1024 * 1024;
/** Memory is level when the heap's low points late in the run stay within this of those early on. */
const HEAP_GROWTH_LIMIT = 1.5;
const HEAP_SLACK = 16 * MB;

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '30m' },
    'restart-every': { type: 'string', default: '1m' },
    interval: { type: 'string', default: '100ms' },
    compounds: { type: 'string', default: '6' },
  },
});
const durationMs = parseDurationMs(args.duration);
const restartEveryMs = parseDurationMs(args['restart-every']);
const intervalMs = parseDurationMs(args.interval);
const compounds = Array.from({ length: Number(args.compounds) }, (_, i) => `soak${i + 1}`);

interface Sample {
  at: number;
  heap: number;
  rss: number;
  spoolLines: number;
}

const log = (message: string, data: object = {}) => process.stdout.write(`${new Date().toISOString()} ${message} ${JSON.stringify(data)}\n`);

/** The lowest heap over each quarter of the run after the first minute (a GC floor per quarter). */
function heapFloors(samples: Sample[], startedAt: number): number[] {
  const settled = samples.filter((s) => s.at - startedAt >= Math.min(60_000, durationMs / 4));
  if (settled.length < 4) return [];
  const quarter = Math.ceil(settled.length / 4);
  return [0, 1, 2, 3].map((q) => Math.min(...settled.slice(q * quarter, (q + 1) * quarter).map((s) => s.heap)));
}

async function main(): Promise<boolean> {
  const dir = await tempDir('soak');
  let influx: LocalInfluxd | undefined;
  let broker: Mosquitto | undefined;
  let hub: HubProcess | undefined;
  let sim: Simulation | undefined;
  const stopAll = async () => {
    await sim?.stop();
    await hub?.stop();
    await Promise.all([influx?.stop(), broker?.stop()]);
    await dir.remove();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    [influx, broker] = await Promise.all([
      startLocalInfluxd({ dataDir: `${dir.path}/influxdb` }),
      startMosquitto({ extraConfig: 'max_queued_messages 0', persistence: true }),
    ]);
    await mkdir(`${dir.path}/fleet`);
    const registry = await writeFleetRegistry(`${dir.path}/fleet`, compounds);
    const database = 'soak';
    const settings: StoreSettings = { url: influx.url, api: 'v1', database };
    hub = await startHubProcess({ DATA_DIR: `${dir.path}/data`, REGISTRY_FILE: registry.file, INFLUX_URL: influx.url, INFLUX_DATABASE: database, MQTT_URL: broker.url, MQTT_CLIENT_ID: 'hub-soak' });
    const ledger = new DeliveryLedger();
    sim = startSimulation({ url: broker.url, devices: registry.devices, intervalMs, seed: 5, scenario: 'faults', reconnect: { minMs: 500, maxMs: 4000 }, onPublished: ledger.record });
    await sim.ready;
    log('soak started', { durationMs, restartEveryMs, devices: registry.devices.length, messagesPerSecond: Math.round((registry.devices.length * 1000) / intervalMs), hubPid: hub.pid });

    const startedAt = Date.now();
    const samples: Sample[] = [];
    let restarts = 0;
    let nextRestart = startedAt + restartEveryMs;
    while (Date.now() - startedAt < durationMs) {
      if (hub.pid === undefined) throw new Error(`the hub died:\n${hub.log().slice(-4000)}`);
      const { body } = await hub.readyz();
      samples.push({ at: Date.now(), heap: await hub.metric('compound_hub_process_nodejs_heap_size_used_bytes'), rss: hub.rssBytes(), spoolLines: body.storage.spoolLines });
      if (Date.now() >= nextRestart) {
        broker.kill('SIGTERM');
        await sleep(2000);
        await broker.restart();
        restarts += 1;
        nextRestart += restartEveryMs;
        const last = samples.at(-1)!;
        log('broker restarted', { restarts, acknowledged: ledger.total, heapMB: +(last.heap / MB).toFixed(1), rssMB: +(last.rss / MB).toFixed(1) });
      }
      await sleep(5000);
    }
    await sim.stop();
    const report = await settledDelivery(settings, ledger, 2000, 120_000);
    const alerts = await alertHistory(settings);
    const doubled = Object.entries(alerts).filter(([, h]) => h.alerts.length > 1 || h.raised > 1).map(([key]) => key);
    const floors = heapFloors(samples, startedAt);
    const level = floors.length === 4 && floors[3]! <= floors[1]! * HEAP_GROWTH_LIMIT + HEAP_SLACK;
    const rss = samples.map((s) => s.rss);
    const result = {
      minutes: +((Date.now() - startedAt) / 60_000).toFixed(1),
      brokerRestarts: restarts,
      reconnects: sim.stats().reconnects,
      acknowledged: report.acknowledged,
      stored: report.stored,
      lost: lostCount(report),
      duplicated: Object.values(report.duplicated).reduce((n, seqs) => n + seqs.length, 0),
      conditionsAlerted: Object.keys(alerts).length,
      alertedTwice: doubled,
      heapFloorsMB: floors.map((f) => +(f / MB).toFixed(1)),
      rssMB: { first: +(rss[0]! / MB).toFixed(1), max: +(Math.max(...rss) / MB).toFixed(1), last: +(rss.at(-1)! / MB).toFixed(1) },
      memoryLevel: level,
    };
    log('soak done', result);
    if (result.lost > 0) log('lost', lostRanges(report));
    return result.lost === 0 && result.duplicated === 0 && doubled.length === 0 && level;
  } finally {
    await stopAll();
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    process.stderr.write(`soak failed: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
