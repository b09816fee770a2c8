/**
 * Alert latency: a probe elevator presses its alarm button; how long until the alert reaches
 * the grid worker's socket (room `worker:…`) and the compound's dashboard socket, while the
 * rest of the fleet loads the hub in the background.
 */
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import type { FleetDevice } from '../../simulators/fleet.ts';
import { connectLive } from '../../test/helpers/live-client.ts';
import type { BenchContext } from '../lib/context.ts';
import { startBenchHub } from '../lib/hub-bench.ts';
import { startLoadProcess } from '../lib/load.ts';
import { waitForOutput } from '../lib/children.ts';
import { percentiles, type Percentiles } from '../lib/stats.ts';

export const PROBE_COMPOUND = 'probe';
export const PROBE_WORKER = 'wang';

export interface LatencyRow {
  backgroundRate: number;
  /** What the background load really reached. */
  achievedBackground: number;
  probes: number;
  missed: number;
  worker: Percentiles;
  compoundRoom: Percentiles;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function alertLatency(ctx: BenchContext, probes: FleetDevice[], alertsFile: string, backgroundRate: number): Promise<LatencyRow> {
  const { hub } = await startBenchHub(ctx, `latency-${backgroundRate}`, { ALERTS_FILE: alertsFile });
  const clients: mqtt.MqttClient[] = [];
  try {
    const sentAt = new Map<string, number>();
    const seen = { worker: new Map<string, number>(), compoundRoom: new Map<string, number>() };
    const listen = (into: Map<string, number>) => (batch: { alerts: Array<{ deviceKey: string }> }) => {
      const now = performance.now();
      for (const alert of batch.alerts) if (sentAt.has(alert.deviceKey) && !into.has(alert.deviceKey)) into.set(alert.deviceKey, now - sentAt.get(alert.deviceKey)!);
    };
    const worker = await connectLive(hub, PROBE_WORKER);
    await worker.subscribe({ mine: true });
    worker.socket.on('update', listen(seen.worker));
    const manager = await connectLive(hub, 'root');
    await manager.subscribe({ compounds: [PROBE_COMPOUND], detail: 'devices' });
    manager.socket.on('update', listen(seen.compoundRoom));
    for (const probe of probes) {
      clients.push(await mqtt.connectAsync(hub.info.brokerUrl, { clientId: probe.key, username: probe.key, password: probe.secret, reconnectPeriod: 0 }));
    }

    // One alarm every 150 ms: a socket gets at most one batch per 100 ms tick, so alarms closer
    // together would measure the rate limit rather than the path (a worker's phone sees a few
    // alerts an hour, not ten a second).
    const spacingMs = 150;
    const dir = await ctx.subdir('latency');
    const durationSec = Math.ceil((probes.length * spacingMs) / 1000) + 8;
    const load = startLoadProcess({ url: hub.info.brokerUrl, shape: ctx.shape, qos: 1, rate: backgroundRate, durationSec, dir });
    await waitForOutput(load.child, /devices connected/, 60_000);
    await sleep(3000);
    for (const [i, probe] of probes.entries()) {
      const topic = `compounds/${probe.compound}/${probe.type}/${probe.device}/event`;
      sentAt.set(probe.key, performance.now());
      clients[i]!.publish(topic, JSON.stringify({ event: 'alarm_button', seq: 1, ts: Date.now() }), { qos: 1 });
      await sleep(spacingMs);
    }
    await sleep(2000);
    const report = await load.result;
    worker.close();
    manager.close();
    return {
      backgroundRate,
      achievedBackground: report.achievedRate,
      probes: probes.length,
      missed: probes.length - seen.worker.size,
      worker: percentiles([...seen.worker.values()]),
      compoundRoom: percentiles([...seen.compoundRoom.values()]),
    };
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await hub.stop();
  }
}
