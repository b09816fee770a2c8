/** Simulators against a real Mosquitto: telemetry from every device, retained status, and the CLI. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import mqtt, { type MqttClient } from 'mqtt';
import { startMosquitto, type Mosquitto } from './helpers/mosquitto.ts';
import { buildFleet } from '../simulators/fleet.ts';
import { startSimulation } from '../simulators/sim.runner.ts';
import { parseDeviceTopic } from '../src/contracts/topics.ts';
import { EVENT_SCHEMAS, TELEMETRY_SCHEMAS } from '../src/contracts/payloads.ts';

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.stop();
});

async function collector(): Promise<{ client: MqttClient; messages: Array<{ topic: string; payload: string; retain: boolean }> }> {
  const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  const messages: Array<{ topic: string; payload: string; retain: boolean }> = [];
  client.on('message', (topic, payload, packet) => messages.push({ topic, payload: payload.toString(), retain: packet.retain }));
  await client.subscribeAsync('compounds/#', { qos: 1 });
  return { client, messages };
}

describe('simulators on Mosquitto', () => {
  it.each(['per-device', 'shared'] as const)('%s: every device reports valid telemetry and its status', async (connection) => {
    const devices = buildFleet({ compounds: [`s-${connection}`], perCompound: { elevator: 2, manhole: 2, fire_lane: 2, parking: 2 }, fleetKey: 'k' });
    const { client, messages: all } = await collector();
    const prefix = `compounds/s-${connection}/`;
    const ours = () => all.filter((m) => m.topic.startsWith(prefix));
    const sim = startSimulation({ url: broker.url, devices, intervalMs: 200, connection, seed: 5 });
    await sim.ready;
    await expect.poll(() => new Set(ours().filter((m) => m.topic.endsWith('/telemetry')).map((m) => m.topic)).size, { timeout: 10_000 }).toBe(8);
    await sim.stop();
    await expect.poll(() => ours().filter((m) => m.payload === 'offline').length, { timeout: 5000 }).toBe(8);

    for (const m of ours()) {
      const parsed = parseDeviceTopic('compounds', m.topic);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) continue;
      if (parsed.topic.channel === 'status') continue;
      const schema = parsed.topic.channel === 'telemetry' ? TELEMETRY_SCHEMAS[parsed.topic.type] : EVENT_SCHEMAS[parsed.topic.type];
      expect(schema.safeParse(JSON.parse(m.payload)).success).toBe(true);
    }
    expect(ours().filter((m) => m.payload === 'online')).toHaveLength(8);
    const stats = sim.stats();
    expect(stats.published).toBe(ours().filter((m) => !m.topic.endsWith('/status')).length);
    await client.endAsync();

    // A late subscriber sees the retained offline status of each device.
    const late = await collector();
    await expect.poll(() => late.messages.filter((m) => m.retain && m.topic.startsWith(`compounds/s-${connection}/`)).length).toBe(8);
    expect(late.messages.filter((m) => m.topic.startsWith(`compounds/s-${connection}/`)).every((m) => m.payload === 'offline')).toBe(true);
    await late.client.endAsync();
  });

  it('the CLI runs for a set duration, reports progress and exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'simulators/cli.ts', '--url', broker.url, '--compounds', 'cli1', '--connection', 'shared', '--interval', '200ms', '--duration', '2s', '--elevators', '2', '--manholes', '1', '--fire-lanes', '1', '--parking', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(out).toMatch(/5 devices → mqtt:\/\/127\.0\.0\.1:\d+ \(shared, QoS 1/);
    expect(out).toMatch(/stopped after \d+\.\d s: [1-9]\d* published/);
    expect(code).toBe(0);
  });

  it('the CLI exits 2 with one line on a bad option', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'simulators/cli.ts', '--interval', 'soon', '--fleet-key', 'k'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/^compound-sim: --interval: expected a duration/);
  });
});
