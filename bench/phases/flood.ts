/**
 * One device flooding QoS 0 as fast as it can (its own process) while 50 others report QoS 1
 * at a normal rate: the others' PUBACK latency and `/healthz` latency, with the per-device rate
 * limit off (MQTT_DEVICE_RATE=off) and on (the defaults), and without the flood for reference.
 */
import { performance } from 'node:perf_hooks';
import mqtt, { type MqttClient } from 'mqtt';
import { deviceTopic } from '../../src/contracts/topics.ts';
import { startTsx, waitForOutput } from '../lib/children.ts';
import type { BenchContext } from '../lib/context.ts';
import { fleetOf } from '../lib/fleet.ts';
import { startBenchHub } from '../lib/hub-bench.ts';
import { percentiles, type Percentiles } from '../lib/stats.ts';

export interface FloodRow {
  label: string;
  /** QoS 0 messages per second the flooder sent (0: no flood). */
  floodRate: number;
  /** Times the flooder connected (more than 1: the broker ended its connection). */
  floodConnects: number;
  /** Flooder messages dropped by the rate limit. */
  dropped: number;
  /** Flooder readings the hub took. */
  floodAccepted: number;
  /** QoS 1 messages the other devices sent, and their publish → PUBACK latency, ms. */
  normalSent: number;
  ack: Percentiles;
  /** GET /healthz latency, ms. */
  healthz: Percentiles;
}

const NORMAL_DEVICES = 50;
const NORMAL_INTERVAL_MS = 200;
const HEALTHZ_INTERVAL_MS = 50;
const WARM_UP_MS = 2000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function floodRun(ctx: BenchContext, label: string, flood: boolean, env: Record<string, string>): Promise<FloodRow> {
  const fleet = fleetOf(ctx.shape);
  const flooder = fleet.find((d) => d.type === 'parking')!;
  const normals = fleet.filter((d) => d.type === 'elevator').slice(0, NORMAL_DEVICES);
  const { hub } = await startBenchHub(ctx, `flood-${label}`, env);
  const clients: MqttClient[] = [];
  try {
    for (const d of normals) clients.push(await mqtt.connectAsync(hub.info.brokerUrl, { clientId: d.key, username: d.key, password: d.secret, reconnectPeriod: 0 }));
    const durationSec = ctx.options.durationSec;
    const child = flood
      ? startTsx('bench/lib/flooder.ts', ['--url', hub.info.brokerUrl, '--key', flooder.key, '--secret', flooder.secret, '--topic', deviceTopic('compounds', flooder, 'telemetry'), '--duration', String(durationSec + WARM_UP_MS / 1000 + 1)])
      : undefined;
    if (child) await waitForOutput(child, /flooding/);
    await sleep(WARM_UP_MS);

    const acks: number[] = [];
    const health: number[] = [];
    let sent = 0;
    let stopping = false;
    const base = Date.now() - 60_000;
    const normal = async (client: MqttClient, d: (typeof normals)[number], offset: number) => {
      await sleep(offset);
      for (let seq = 1; !stopping; seq += 1) {
        const at = performance.now();
        sent += 1;
        await client.publishAsync(deviceTopic('compounds', d, 'telemetry'), JSON.stringify({ seq, ts: base + seq, floor: seq % 20, moving: false }), { qos: 1 });
        acks.push(performance.now() - at);
        const wait = NORMAL_INTERVAL_MS - (performance.now() - at);
        if (wait > 0) await sleep(wait);
      }
    };
    const healthz = async () => {
      while (!stopping) {
        const at = performance.now();
        const res = await fetch(`${hub.info.httpUrl}/healthz`, { signal: AbortSignal.timeout(30_000) });
        await res.arrayBuffer();
        health.push(performance.now() - at);
        const wait = HEALTHZ_INTERVAL_MS - (performance.now() - at);
        if (wait > 0) await sleep(wait);
      }
    };
    const running = [...clients.map((c, i) => normal(c, normals[i]!, (i * NORMAL_INTERVAL_MS) / clients.length)), healthz()];
    await sleep(durationSec * 1000);
    stopping = true;
    await Promise.all(running);

    let floodRate = 0;
    let floodConnects = 0;
    if (child) {
      await child.exited;
      const report = JSON.parse(child.output().trim().split('\n').at(-1)!) as { rate: number; connects: number };
      floodRate = report.rate;
      floodConnects = report.connects;
    }
    return {
      label,
      floodRate,
      floodConnects,
      dropped: await hub.metric('compound_hub_broker_rate_limited_total', { device: flooder.key, outcome: 'dropped' }),
      floodAccepted: await hub.metric('compound_hub_readings_accepted_total', { type: 'parking' }),
      normalSent: sent,
      ack: percentiles(acks),
      healthz: percentiles(health),
    };
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await hub.stop();
  }
}

/** The three runs: no flood; flood with the limit off; flood with the default limit. */
export async function floodPhase(ctx: BenchContext): Promise<FloodRow[]> {
  return [
    await floodRun(ctx, 'no flood (reference)', false, {}),
    await floodRun(ctx, 'flood, limit off (MQTT_DEVICE_RATE=off)', true, { MQTT_DEVICE_RATE: 'off' }),
    await floodRun(ctx, 'flood, limit on (defaults: 200 msg/s, burst 2,000, disconnect after 10 s)', true, {}),
  ];
}
