/**
 * Scale: start-up time and memory with 10k and 100k registered devices (with rule state:
 * every device reports once), and the time to rebuild 10k open alerts from the event log.
 * Devices reach the hub through an external broker on one shared connection: 100k device
 * logins would measure the load generator, not the hub.
 */
import type { FleetDevice } from '../../simulators/fleet.ts';
import { buildFleet } from '../../simulators/fleet.ts';
import { getJson } from '../../test/helpers/test-hub.ts';
import { startTsx, waitForOutput, type Child } from '../lib/children.ts';
import type { BenchContext } from '../lib/context.ts';
import { FLEET_KEY, writeRegistry, type FleetShape } from '../lib/fleet.ts';
import { startBenchHub, whenStored } from '../lib/hub-bench.ts';
import { runLoad } from '../lib/load.ts';
import { rssMb } from '../lib/proc-stats.ts';
import { checkLoss, type LossCheck } from '../lib/stored.ts';

export interface ScaleRow {
  devices: number;
  startMs: number;
  idleRssMb: number;
  /** After every device reported (rule and live state for all). */
  rssMb: number;
  loss: LossCheck;
}

export interface RebuildRow {
  openAlerts: number;
  /** Start with an empty event log. */
  startMs: number;
  /** Start that rebuilds the open alerts. */
  restartMs: number;
  rebuiltOpen: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function externalBroker(): Promise<{ broker: Child; url: string }> {
  const broker = startTsx('bench/lib/ceiling.broker.ts', []);
  const port = (await waitForOutput(broker, /listening on (\d+)/))[1]!;
  return { broker, url: `mqtt://127.0.0.1:${port}` };
}

function shapeOf(devices: number): FleetShape {
  const compounds = Math.max(1, Math.round(devices / 100));
  return { compounds, perCompound: { elevator: 25, manhole: 25, fire_lane: 25, parking: 25 } };
}

async function withFleet<T>(ctx: BenchContext, devices: FleetDevice[], run: (registryFile: string, url: string) => Promise<T>): Promise<T> {
  const registryFile = await writeRegistry(await ctx.subdir('scale'), devices);
  const { broker, url } = await externalBroker();
  try {
    return await run(registryFile, url);
  } finally {
    await broker.stop();
  }
}

export async function registeredDevices(ctx: BenchContext, count: number): Promise<ScaleRow> {
  const shape = shapeOf(count);
  const devices = buildFleet({ ...shape, fleetKey: FLEET_KEY, reportIntervalSec: 3600 });
  return withFleet(ctx, devices, async (registryFile, url) => {
    const { hub, settings, startMs } = await startBenchHub(ctx, `scale-${count}`, { REGISTRY_FILE: registryFile, MQTT_URL: url });
    try {
      await sleep(2000);
      const idleRssMb = rssMb(hub.pid!);
      const dir = await ctx.subdir('scale-load');
      const rate = 40_000;
      const load = await runLoad({ url, shape, qos: 1, rate, durationSec: Math.ceil((devices.length * 1.2) / rate) + 1, dir, shared: true, inflight: 4096 });
      await whenStored(hub);
      await sleep(2000);
      const rss = rssMb(hub.pid!);
      const loss = await checkLoss(settings, load.perDevice);
      return { devices: devices.length, startMs, idleRssMb, rssMb: rss, loss };
    } finally {
      await hub.stop();
    }
  });
}

/** Every device raises one alert (an alarm button, gas in a manhole); then the hub restarts. */
export async function rebuildAlerts(ctx: BenchContext, count: number): Promise<RebuildRow> {
  const half = Math.round(count / 2 / 100);
  const shape: FleetShape = { compounds: half, perCompound: { elevator: 100, manhole: 100, fire_lane: 0, parking: 0 } };
  const devices = buildFleet({ ...shape, fleetKey: FLEET_KEY, reportIntervalSec: 3600 });
  return withFleet(ctx, devices, async (registryFile, url) => {
    const { hub, startMs } = await startBenchHub(ctx, 'rebuild', { REGISTRY_FILE: registryFile, MQTT_URL: url });
    try {
      const dir = await ctx.subdir('rebuild-load');
      const rate = 20_000;
      await runLoad({ url, shape, qos: 1, rate, durationSec: Math.ceil((devices.length * 1.5) / rate) + 1, dir, shared: true, alertShare: 1, inflight: 4096 });
      await whenStored(hub);
      const open = async () => (await getJson<{ alerts: unknown[] }>(hub, '/api/alerts?open=true', 'root')).alerts.length;
      const openAlerts = await open();
      await hub.stop();
      const started = Date.now();
      await hub.restart();
      const restartMs = Date.now() - started;
      return { openAlerts, startMs, restartMs, rebuiltOpen: await open() };
    } finally {
      await hub.stop();
    }
  });
}
