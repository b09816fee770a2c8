/**
 * Simulators against a real Mosquitto: telemetry from every device, retained status with a
 * Last Will, per-device credentials and ACLs, reconnecting after a broker crash, and the
 * compound-sim CLI as a user runs it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { startMosquitto, type Mosquitto } from './helpers/mosquitto.ts';
import { buildFleet, type FleetDevice } from '../simulators/fleet.ts';
import { ConnectionRefusedError, startSimulation, type Simulation } from '../simulators/sim.runner.ts';
import { timelineScenario, type Scenario } from '../simulators/scenarios/index.ts';
import type { SimDevice } from '../simulators/sim.device.ts';
import { parseDeviceTopic } from '../src/contracts/topics.ts';
import { EVENT_SCHEMAS, TELEMETRY_SCHEMAS } from '../src/contracts/payloads.ts';
import { deviceKey } from '../src/contracts/device-types.ts';

interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}
interface Collector {
  client: MqttClient;
  messages: Received[];
  under(prefix: string): Received[];
}

const clients: MqttClient[] = [];
const sims: Simulation[] = [];
const children: ChildProcess[] = [];

async function collect(url: string, auth: { username?: string; password?: string } = {}): Promise<Collector> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...auth });
  clients.push(client);
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) => messages.push({ topic, payload: payload.toString(), retain: packet.retain }));
  await client.subscribeAsync('compounds/#', { qos: 1 });
  return { client, messages, under: (prefix) => messages.filter((m) => m.topic.startsWith(prefix)) };
}

const devicesReporting = (messages: Received[]) => new Set(messages.filter((m) => m.topic.endsWith('/telemetry')).map((m) => m.topic.split('/').slice(1, 4).join('/')));
/** The latest status payload of each device, by key. */
const lastStatus = (messages: Received[]) => {
  const status = new Map<string, string>();
  for (const m of messages) if (m.topic.endsWith('/status')) status.set(m.topic.split('/').slice(1, 4).join('/'), m.payload);
  return Object.fromEntries([...status].sort());
};
const allAre = (devices: FleetDevice[], value: string) => Object.fromEntries(devices.map((d) => [d.key, value]).sort());

/** Every message is addressed by the topic grammar and valid; seq increases per device. */
function expectValid(messages: Received[]) {
  const seqs = new Map<string, number>();
  for (const m of messages) {
    const parsed = parseDeviceTopic('compounds', m.topic);
    expect(parsed.ok, m.topic).toBe(true);
    if (!parsed.ok) continue;
    if (parsed.topic.channel === 'status') {
      expect(['online', 'offline']).toContain(m.payload);
      continue;
    }
    const schema = parsed.topic.channel === 'telemetry' ? TELEMETRY_SCHEMAS[parsed.topic.type] : EVENT_SCHEMAS[parsed.topic.type];
    const payload = JSON.parse(m.payload) as { seq: number; ts: number };
    expect(schema.safeParse(payload).success, m.payload).toBe(true);
    const key = deviceKey(parsed.topic);
    expect(payload.seq).toBeGreaterThan(seqs.get(key) ?? 0);
    seqs.set(key, payload.seq);
  }
}

function run(args: string[], options: { env?: Record<string, string>; entry?: string[] } = {}) {
  const child = spawn(process.execPath, [...(options.entry ?? ['--import', 'tsx', 'simulators/cli.ts']), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  children.push(child);
  const io = { out: '', err: '' };
  child.stdout!.on('data', (c: Buffer) => (io.out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (io.err += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, io, exit };
}

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto({ extraConfig: 'log_type notice' });
});
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()));
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(async () => {
  await broker?.stop();
});

describe('simulators on Mosquitto', () => {
  it.each(['per-device', 'shared'] as const)('%s: every device reports valid telemetry and a retained status', async (connection) => {
    const compound = `s-${connection}`;
    const devices = buildFleet({ compounds: [compound], perCompound: { elevator: 2, manhole: 2, fire_lane: 2, parking: 2 }, fleetKey: 'k' });
    const live = await collect(broker.url);
    const sim = startSimulation({ url: broker.url, devices, intervalMs: 200, connection, seed: 5, scenario: 'faults', timeScale: 600 });
    sims.push(sim);
    await sim.ready;

    // A subscriber that comes later is told, by retained messages, that every device is online.
    const late = await collect(broker.url);
    await expect.poll(() => lastStatus(late.under(`compounds/${compound}/`))).toEqual(allAre(devices, 'online'));
    expect(late.under(`compounds/${compound}/`).filter((m) => m.topic.endsWith('/status')).every((m) => m.retain)).toBe(true);

    await expect.poll(() => devicesReporting(live.under(`compounds/${compound}/`)).size, { timeout: 10_000 }).toBe(8);
    await sim.stop();
    await expect.poll(() => lastStatus(live.under(`compounds/${compound}/`))).toEqual(allAre(devices, 'offline'));

    const ours = live.under(`compounds/${compound}/`);
    expectValid(ours);
    expect(sim.stats().published).toBe(ours.filter((m) => !m.topic.endsWith('/status')).length);
    expect(sim.stats().errors).toBe(0);

    const after = await collect(broker.url);
    await expect.poll(() => lastStatus(after.under(`compounds/${compound}/`))).toEqual(allAre(devices, 'offline'));
    if (connection === 'per-device') {
      // Each device logged in as itself.
      for (const d of devices) expect(broker.log()).toContain(`as ${d.key} (p2, c1, k30, u'${d.key}')`);
    }
  });

  it('per-device credentials and ACLs: accepted with the fleet key, refused with another', async () => {
    const devices = buildFleet({ compounds: ['auth'], perCompound: { elevator: 1, manhole: 1, fire_lane: 1, parking: 1 }, fleetKey: 'right-key' });
    const secured = await startMosquitto({
      passwords: { watcher: 'watch-pw', ...Object.fromEntries(devices.map((d) => [d.key, d.secret])) },
      // Each device may write only under its own compound/type/device (its user name).
      acl: 'pattern readwrite compounds/%u/#\n\nuser watcher\ntopic read compounds/#',
    });
    try {
      const watcher = await collect(secured.url, { username: 'watcher', password: 'watch-pw' });
      const sim = startSimulation({ url: secured.url, devices, intervalMs: 200 });
      sims.push(sim);
      await sim.ready;
      await expect.poll(() => devicesReporting(watcher.messages).size, { timeout: 10_000 }).toBe(4);
      await expect.poll(() => lastStatus(watcher.messages)).toEqual(allAre(devices, 'online'));
      await sim.stop();
      expectValid(watcher.messages);

      const impostors = buildFleet({ compounds: ['auth'], perCompound: { elevator: 1, manhole: 0, fire_lane: 0, parking: 0 }, fleetKey: 'wrong-key' });
      const refused = startSimulation({ url: secured.url, devices: impostors, intervalMs: 200 });
      sims.push(refused);
      await expect(refused.ready).rejects.toBeInstanceOf(ConnectionRefusedError);
      await expect(refused.ready).rejects.toThrow(/^auth\/elevator\/elev-01: the broker at mqtt:\/\/127\.0\.0\.1:\d+ refused the connection \(Connection refused: Not authorized\); do the device secrets \(--fleet-key\) match/);
      expect(refused.stats().connected).toBe(0);
    } finally {
      await Promise.all(sims.splice(0).map((s) => s.stop()));
      await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
      await secured.stop();
    }
  });

  it('devices reconnect after the broker crashes and comes back, and announce themselves again', async () => {
    const crashing = await startMosquitto();
    try {
      const devices = buildFleet({ compounds: ['rc'], perCompound: { elevator: 1, manhole: 1, fire_lane: 1, parking: 1 }, fleetKey: 'k' });
      const sim = startSimulation({ url: crashing.url, devices, intervalMs: 100, reconnect: { minMs: 100, maxMs: 500 } });
      sims.push(sim);
      await sim.ready;
      crashing.kill('SIGKILL');
      await expect.poll(() => sim.stats().connected, { timeout: 10_000 }).toBe(0);
      // While the broker is down the devices keep trying: each refused attempt is counted.
      await expect.poll(() => sim.stats().errors, { timeout: 10_000 }).toBeGreaterThan(0);
      await crashing.restart();
      // The restarted broker has no retained messages: the devices must publish `online` again.
      const after = await collect(crashing.url);
      await expect.poll(() => lastStatus(after.messages), { timeout: 15_000 }).toEqual(allAre(devices, 'online'));
      await expect.poll(() => devicesReporting(after.messages).size, { timeout: 10_000 }).toBe(4);
      expect(sim.stats()).toMatchObject({ connected: 4, reconnects: 4 });
      await sim.stop();
      expectValid(after.messages);
    } finally {
      await Promise.all(sims.splice(0).map((s) => s.stop()));
      await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
      await crashing.stop();
    }
  });
});

describe('outages on Mosquitto', () => {
  it('a power cut drops the connection so that Mosquitto publishes the will; power back, the device reconnects; an uplink outage is silence', async () => {
    const devices = buildFleet({ compounds: ['out'], perCompound: { elevator: 2, manhole: 1, fire_lane: 0, parking: 0 }, fleetKey: 'k' });
    const timeline = timelineScenario('outages', 'elev-01 loses power, mh-01 its uplink', [
      { atMs: 400, untilMs: 1600, match: { device: 'elev-01' }, fault: 'power_loss' },
      { atMs: 400, untilMs: 1600, match: { device: 'elev-01' }, outage: 'power' },
      { atMs: 400, untilMs: 1600, match: { device: 'mh-01' }, outage: 'uplink' },
    ]);
    /** Per device: the device clock (ms epoch) when its outage began and ended. */
    const clocks = new Map<string, number[]>();
    const scenario: Scenario = {
      name: 'clocked',
      description: timeline.description,
      start() {
        const driver = timeline.start();
        return {
          beforeStep(device, elapsedMs) {
            const before = device.outage;
            driver.beforeStep(device, elapsedMs);
            if (device.outage !== before) clocks.set(device.key, [...(clocks.get(device.key) ?? []), (device as SimDevice).clockMs]);
          },
        };
      },
    };
    const live = await collect(broker.url);
    const sim = startSimulation({ url: broker.url, devices, intervalMs: 100, scenario, seed: 3 });
    sims.push(sim);
    await sim.ready;
    await expect.poll(() => clocks.get('out/elevator/elev-01')?.length ?? 0, { timeout: 10_000 }).toBe(2);
    await expect.poll(() => live.under('compounds/out/elevator/elev-01/').filter((m) => m.topic.endsWith('/status')).map((m) => m.payload), { timeout: 10_000 }).toEqual(['online', 'offline', 'online']);
    await expect.poll(() => clocks.get('out/manhole/mh-01')?.length ?? 0).toBe(2);
    await expect.poll(() => live.under('compounds/out/elevator/elev-01/telemetry').length).toBeGreaterThan(0);

    const elev = live.under('compounds/out/elevator/elev-01/');
    const ts = (m: Received) => (JSON.parse(m.payload) as { ts: number }).ts;
    const [cutAt, backAt] = clocks.get('out/elevator/elev-01')!;
    const offline = elev.findIndex((m) => m.payload === 'offline');
    const online = elev.findIndex((m, i) => i > offline && m.payload === 'online');
    // Before the will: its last gasp at the cut, power_loss first; between the will and its online: nothing.
    const gasp = elev.slice(0, offline).filter((m) => !m.topic.endsWith('/status') && ts(m) > cutAt!);
    expect(gasp.map((m) => m.topic.split('/').at(-1))).toEqual(gasp.map(() => 'event'));
    expect(JSON.parse(gasp[0]!.payload)).toMatchObject({ event: 'power_loss' });
    expect(online - offline).toBe(1);
    expect(elev.slice(online + 1).every((m) => ts(m) > backAt!)).toBe(true);
    expect(sim.stats()).toMatchObject({ reconnects: 1, errors: 0, dropped: 0 });

    const manhole = live.under('compounds/out/manhole/mh-01/');
    const [silentFrom, silentTo] = clocks.get('out/manhole/mh-01')!;
    expect(manhole.filter((m) => m.topic.endsWith('/status')).map((m) => m.payload)).toEqual(['online']);
    expect(manhole.filter((m) => !m.topic.endsWith('/status') && ts(m) > silentFrom! && ts(m) <= silentTo!)).toEqual([]);
    await expect.poll(() => live.under('compounds/out/manhole/mh-01/telemetry').filter((m) => ts(m) > silentTo!).length).toBeGreaterThan(0);
    expect(live.under('compounds/out/elevator/elev-02/').filter((m) => m.topic.endsWith('/status')).map((m) => m.payload)).toEqual(['online']);
    await sim.stop();
    expectValid(live.under('compounds/out/'));
  });
});

describe('compound-sim CLI on Mosquitto', () => {
  it('runs for --duration with progress lines, publishes from every device and exits 0', async () => {
    const live = await collect(broker.url);
    const cli = run(['--url', broker.url, '--compounds', 'cli1,cli2', '--connection', 'shared', '--interval', '200ms', '--duration', '3s', '--progress', '1s', '--elevators', '2', '--manholes', '1', '--fire-lanes', '1', '--parking', '1']);
    expect(await cli.exit).toBe(0);
    expect(cli.io.err).toBe('');
    const lines = cli.io.out.trim().split('\n');
    expect(lines[0]).toMatch(/^compound-sim: 10 devices in 2 compounds → mqtt:\/\/127\.0\.0\.1:\d+ \(shared, QoS 1, every 200ms, scenario normal, seed 1\)$/);
    expect(lines[1]).toMatch(/^compound-sim: connected after \d+\.\d s$/);
    expect(lines.filter((l) => /^compound-sim: 10\/10 connected, \d+ published \(\d+\.\d\/s\), \d+ events, 0 errors$/.test(l)).length).toBeGreaterThanOrEqual(1);
    expect(lines.at(-1)).toMatch(/^compound-sim: stopped after \d+\.\d s: [1-9]\d* published \(\d+\.\d\/s\), \d+ events, 0 errors$/);
    await expect.poll(() => devicesReporting(live.under('compounds/cli')).size).toBe(10);
    await expect.poll(() => Object.values(lastStatus(live.under('compounds/cli')))).toEqual(Array(10).fill('offline'));
    expectValid(live.under('compounds/cli'));
    const published = Number(/(\d+) published \(/.exec(lines.at(-1)!)![1]);
    expect(live.under('compounds/cli').filter((m) => !m.topic.endsWith('/status'))).toHaveLength(published);
  });

  it('stops cleanly on SIGINT: devices say offline and it exits 0', async () => {
    const live = await collect(broker.url);
    const cli = run(['--url', broker.url, '--compounds', 'sigint', '--elevators', '1', '--manholes', '1', '--fire-lanes', '0', '--parking', '1', '--interval', '200ms', '--progress', '0'], { env: { SIM_FLEET_KEY: 'k' } });
    await expect.poll(() => cli.io.out, { timeout: 20_000 }).toContain('all 3 devices connected');
    await expect.poll(() => devicesReporting(live.under('compounds/sigint/')).size).toBe(3);
    cli.child.kill('SIGINT');
    expect(await cli.exit).toBe(0);
    expect(cli.io.out).toMatch(/stopped after \d+\.\d s: [1-9]\d* published/);
    await expect.poll(() => Object.values(lastStatus(live.under('compounds/sigint/')))).toEqual(['offline', 'offline', 'offline']);
  });

  it('when the process dies, the broker publishes each device’s Last Will: offline', async () => {
    const live = await collect(broker.url);
    const cli = run(['--url', broker.url, '--compounds', 'will', '--elevators', '1', '--manholes', '1', '--fire-lanes', '1', '--parking', '0', '--fleet-key', 'k', '--progress', '0']);
    await expect.poll(() => cli.io.out, { timeout: 20_000 }).toContain('all 3 devices connected');
    await expect.poll(() => Object.values(lastStatus(live.under('compounds/will/')))).toEqual(['online', 'online', 'online']);
    cli.child.kill('SIGKILL');
    await cli.exit;
    await expect.poll(() => Object.values(lastStatus(live.under('compounds/will/'))), { timeout: 10_000 }).toEqual(['offline', 'offline', 'offline']);
    const late = await collect(broker.url);
    await expect.poll(() => late.under('compounds/will/').filter((m) => m.retain && m.payload === 'offline').length).toBe(3);
  });

  it('the npx launcher (bin/compound-sim.js) runs it: --help exits 0, a bad option exits 2 with one line', async () => {
    const help = run(['--help'], { entry: ['bin/compound-sim.js'] });
    expect(await help.exit).toBe(0);
    expect(help.io.out).toMatch(/^compound-sim: simulated smart-compound devices publishing over MQTT/);
    const bad = run(['--fleet-key', 'k', '--interval', 'soon'], { entry: ['bin/compound-sim.js'] });
    expect(await bad.exit).toBe(2);
    expect(bad.io.out).toBe('');
    expect(bad.io.err).toBe('compound-sim: --interval: expected a duration like 5s, 500ms or 2m, got "soon"\nRun with --help for the options.\n');
  });

  it('a refused fleet key ends the run with exit 1 and says why', async () => {
    const secured = await startMosquitto({ passwords: { someone: 'else' } });
    try {
      const cli = run(['--url', secured.url, '--compounds', 'c01', '--elevators', '1', '--manholes', '0', '--fire-lanes', '0', '--parking', '0', '--fleet-key', 'k', '--progress', '0']);
      expect(await cli.exit).toBe(1);
      expect(cli.io.err).toMatch(/^compound-sim: c01\/elevator\/elev-01: the broker at mqtt:\/\/127\.0\.0\.1:\d+ refused the connection \(Connection refused: Not authorized\); do the device secrets \(--fleet-key\) match the hub's registry\?\n$/);
    } finally {
      await secured.stop();
    }
  });
});
