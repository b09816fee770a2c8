/**
 * The runner against an in-memory stand-in for mqtt.js clients, where the test decides how
 * each connection attempt ends. (test/simulators.integration.test.ts runs it on Mosquitto.)
 */
import { EventEmitter } from 'node:events';
import type { IClientOptions, MqttClient } from 'mqtt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EVENT_SCHEMAS, TELEMETRY_SCHEMAS } from '../src/contracts/payloads.ts';
import { parseDeviceTopic } from '../src/contracts/topics.ts';
import { buildFleet, type FleetDevice } from './fleet.ts';
import { backoffDelayMs } from './mqtt.link.ts';
import { createRng } from './prng.ts';
import { ConnectionRefusedError, startSimulation, type Simulation, type SimulationOptions } from './sim.runner.ts';
import { timelineScenario, type Scenario, type TimelineStep } from './scenarios/index.ts';

type Outcome = 'accept' | 'refuse' | 'fail';
interface Sent {
  client: FakeClient;
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
  /** Published by the broker: the client's Last Will. */
  will?: true;
}

class FakeBroker {
  clients: FakeClient[] = [];
  sent: Sent[] = [];
  pending = 0;
  maxPending = 0;
  attempts = 0;
  constructor(public decide: (client: FakeClient) => Outcome = () => 'accept') {}

  readonly factory = (url: string, options: IClientOptions) => new FakeClient(url, options, this) as unknown as MqttClient;

  attempt(client: FakeClient) {
    this.attempts += 1;
    this.pending += 1;
    this.maxPending = Math.max(this.maxPending, this.pending);
    setImmediate(() => {
      this.pending -= 1;
      if (client.ended) return;
      const outcome = this.decide(client);
      if (outcome === 'accept') {
        client.connected = true;
        client.emit('connect', { returnCode: 0 });
      } else {
        const error = outcome === 'refuse' ? Object.assign(new Error('Connection refused: Not authorized'), { code: 5 }) : Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
        client.emit('error', error);
        client.emit('close');
      }
    });
  }

  /** The broker drops a client's connection (as when it restarts). */
  drop(client: FakeClient) {
    client.connected = false;
    client.emit('close');
  }

  payloads(filter: (s: Sent) => boolean = () => true) {
    return this.sent.filter(filter);
  }
}

class FakeClient extends EventEmitter {
  connected = false;
  ended = false;
  incomingStore = {};
  outgoingStore = {};
  constructor(
    readonly url: string,
    readonly options: IClientOptions,
    private readonly broker: FakeBroker,
  ) {
    super();
    broker.clients.push(this);
    broker.attempt(this);
  }
  publish(topic: string, payload: string, opts: { qos: number; retain?: boolean }, cb?: (error?: Error) => void) {
    if (!this.connected) {
      queueMicrotask(() => cb?.(new Error('client disconnecting')));
      return this;
    }
    this.broker.sent.push({ client: this, topic, payload, qos: opts.qos, retain: opts.retain ?? false });
    queueMicrotask(() => cb?.());
    return this;
  }
  publishAsync(topic: string, payload: string, opts: { qos: number; retain?: boolean }) {
    return new Promise<void>((resolve, reject) => this.publish(topic, payload, opts, (error) => (error ? reject(error) : resolve())));
  }
  end(force: boolean, _opts?: object, cb?: () => void) {
    this.ended = true;
    const was = this.connected;
    this.connected = false;
    // No DISCONNECT: the broker publishes the will.
    if (force && was && this.options.will) {
      const { topic, payload, qos, retain } = this.options.will;
      this.broker.sent.push({ client: this, topic, payload: String(payload), qos: qos ?? 0, retain: retain ?? false, will: true });
    }
    setImmediate(() => {
      if (was) this.emit('close');
      cb?.();
    });
    return this;
  }
  reconnects = 0;
  reconnect() {
    this.reconnects += 1;
    this.ended = false;
    this.broker.attempt(this);
    return this;
  }
}

const fleet = (n = 4): FleetDevice[] =>
  buildFleet({ compounds: ['r1'], perCompound: { elevator: n, manhole: n, fire_lane: n, parking: n }, fleetKey: 'runner-key', reportIntervalSec: 1 });

let sims: Simulation[] = [];
function start(broker: FakeBroker, options: Partial<SimulationOptions> & { devices: FleetDevice[] }): Simulation {
  const sim = startSimulation({ url: 'mqtt://fake:1883', intervalMs: 20, reconnect: { minMs: 5, maxMs: 20 }, createClient: broker.factory, ...options });
  sims.push(sim);
  return sim;
}
afterEach(async () => {
  await Promise.all(sims.map((s) => s.stop()));
  sims = [];
});

const isStatus = (s: Sent) => s.topic.endsWith('/status');

/**
 * A timeline that notes, each time a device's outage changes, how many messages the broker had
 * by then: what the device publishes in that step and after lands behind the mark.
 */
function marked(broker: FakeBroker, steps: TimelineStep[]) {
  const inner = timelineScenario('outages', 'outages under watch', steps);
  const marks: Array<{ key: string; outage: string | undefined; at: number }> = [];
  const scenario: Scenario = {
    name: 'marked',
    description: inner.description,
    start() {
      const driver = inner.start();
      return {
        beforeStep(device, elapsedMs) {
          const before = device.outage;
          driver.beforeStep(device, elapsedMs);
          if (device.outage !== before) marks.push({ key: device.key, outage: device.outage, at: broker.sent.length });
        },
      };
    },
  };
  return { scenario, marks };
}

describe('simulation runner', () => {
  it('connects each device as itself, with its Last Will, and announces it online', async () => {
    const broker = new FakeBroker();
    const devices = fleet(1);
    const sim = start(broker, { devices });
    await sim.ready;
    expect(broker.clients).toHaveLength(4);
    const elevator = broker.clients.find((c) => c.options.username === 'r1/elevator/elev-01')!;
    expect(elevator.options).toMatchObject({
      clientId: 'r1/elevator/elev-01',
      password: devices[0]!.secret,
      clean: true,
      reconnectPeriod: 0,
      will: { topic: 'compounds/r1/elevator/elev-01/status', qos: 1, retain: true },
    });
    expect(String(elevator.options.will!.payload)).toBe('offline');
    expect(broker.payloads(isStatus).map((s) => [s.topic, s.payload, s.retain, s.qos]).sort()).toEqual(
      devices.map((d) => [`compounds/${d.compound}/${d.type}/${d.device}/status`, 'online', true, 1]).sort(),
    );
    expect(sim.stats()).toMatchObject({ devices: 4, connected: 4 });
  });

  it('keeps at most `connectConcurrency` connection attempts in flight', async () => {
    const broker = new FakeBroker();
    const sim = start(broker, { devices: fleet(25), connectConcurrency: 7 });
    await sim.ready;
    expect(broker.clients).toHaveLength(100);
    expect(broker.maxPending).toBe(7);
    expect(sim.stats().connected).toBe(100);
  });

  it('publishes contract-valid telemetry and events from every device and counts them', async () => {
    const broker = new FakeBroker();
    const devices = fleet(2);
    const taken: string[] = [];
    const onPublished = (key: string, m: { topic: string; payload: { seq?: number } }) => taken.push(`${key} ${m.topic} ${m.payload.seq}`);
    const sim = start(broker, { devices, qos: 0, topicRoot: 'estates', scenario: 'faults', timeScale: 3600, onPublished });
    await sim.ready;
    await vi.waitFor(() => {
      const senders = new Set(broker.payloads((s) => s.topic.endsWith('/telemetry')).map((s) => s.topic));
      expect(senders.size).toBe(devices.length);
    });
    await sim.stop();
    const messages = broker.payloads((s) => !isStatus(s));
    const seqs = new Map<string, number>();
    for (const m of messages) {
      const parsed = parseDeviceTopic('estates', m.topic);
      if (!parsed.ok) throw new Error(`bad topic ${m.topic}`);
      const { type, channel } = parsed.topic;
      const payload = JSON.parse(m.payload);
      expect((channel === 'telemetry' ? TELEMETRY_SCHEMAS[type] : EVENT_SCHEMAS[type]).safeParse(payload).success).toBe(true);
      expect(m.qos).toBe(0);
      const key = `${parsed.topic.compound}/${type}/${parsed.topic.device}`;
      expect(payload.seq).toBeGreaterThan(seqs.get(key) ?? 0);
      seqs.set(key, payload.seq);
    }
    const stats = sim.stats();
    expect(stats.published).toBe(messages.length);
    // onPublished hears of each message the broker took, with its device.
    const sent = messages.map((m) => `${m.topic.split('/').slice(1, 4).join('/')} ${m.topic} ${JSON.parse(m.payload).seq}`);
    expect(taken.sort()).toEqual(sent.sort());
    expect(stats.events).toBe(messages.filter((m) => m.topic.endsWith('/event')).length);
    expect(stats.byType.elevator).toBe(messages.filter((m) => m.topic.includes('/elevator/') && m.topic.endsWith('/telemetry')).length);
    expect(stats.byType.parking + stats.byType.manhole + stats.byType.fire_lane + stats.byType.elevator + stats.events).toBe(stats.published);
  });

  it('says offline (retained) for every device when stopped, and disconnects', async () => {
    const broker = new FakeBroker();
    const devices = fleet(2);
    const sim = start(broker, { devices });
    await sim.ready;
    await sim.stop();
    await sim.done;
    const offline = broker.payloads((s) => isStatus(s) && s.payload === 'offline');
    expect(offline).toHaveLength(devices.length);
    expect(offline.every((s) => s.retain && s.qos === 1)).toBe(true);
    expect(broker.clients.every((c) => c.ended)).toBe(true);
    expect(sim.stats().connected).toBe(0);
    const after = broker.sent.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(broker.sent.length).toBe(after);
  });

  it('rejects ready with a clear message when the broker refuses a device, and keeps the others going', async () => {
    const broker = new FakeBroker((c) => (c.options.username === 'r1/manhole/mh-01' ? 'refuse' : 'accept'));
    const sim = start(broker, { devices: fleet(1) });
    await expect(sim.ready).rejects.toBeInstanceOf(ConnectionRefusedError);
    await expect(sim.ready).rejects.toThrow(
      "r1/manhole/mh-01: the broker at mqtt://fake:1883 refused the connection (Connection refused: Not authorized); do the device secrets (--fleet-key) match the hub's registry?",
    );
    await vi.waitFor(() => expect(sim.stats().connected).toBe(3));
    await vi.waitFor(() => expect(broker.payloads((s) => s.topic.endsWith('/telemetry')).length).toBeGreaterThan(3));
    expect(sim.stats().errors).toBeGreaterThan(0);
    expect(sim.stats().lastError).toMatch(/^r1\/manhole\/mh-01: Connection refused/);
  });

  it('reconnects after the broker drops it, announces itself again and drops samples while offline', async () => {
    let down = false;
    const broker = new FakeBroker(() => (down ? 'fail' : 'accept'));
    const devices = fleet(1);
    const sim = start(broker, { devices });
    await sim.ready;
    down = true;
    for (const c of broker.clients) broker.drop(c);
    expect(sim.stats().connected).toBe(0);
    await vi.waitFor(() => expect(sim.stats().dropped).toBeGreaterThan(0));
    await vi.waitFor(() => expect(broker.attempts).toBeGreaterThan(12)); // retrying with backoff
    down = false;
    await vi.waitFor(() => expect(sim.stats().connected).toBe(4));
    expect(sim.stats().reconnects).toBe(4);
    expect(broker.payloads((s) => isStatus(s) && s.payload === 'online')).toHaveLength(8);
  });

  it('shared: one connection publishes for every device', async () => {
    const broker = new FakeBroker();
    const devices = fleet(3);
    const sim = start(broker, { devices, connection: 'shared', username: 'load', password: 'pw', clientId: 'load-1' });
    await sim.ready;
    expect(broker.clients).toHaveLength(1);
    expect(broker.clients[0]!.options).toMatchObject({ clientId: 'load-1', username: 'load', password: 'pw' });
    expect(broker.clients[0]!.options.will).toBeUndefined();
    expect(sim.stats().connected).toBe(12);
    await vi.waitFor(() => expect(new Set(broker.payloads((s) => s.topic.endsWith('/telemetry')).map((s) => s.topic)).size).toBe(12));
    await sim.stop();
    expect(broker.payloads((s) => isStatus(s) && s.payload === 'offline')).toHaveLength(12);
  });

  it('forces a fault on one device and publishes its events at once', async () => {
    const broker = new FakeBroker();
    const sim = start(broker, { devices: fleet(1), intervalMs: 60_000 });
    await sim.ready;
    sim.fault('r1/elevator/elev-01', 'trapped');
    await vi.waitFor(() =>
      expect(broker.payloads((s) => s.topic === 'compounds/r1/elevator/elev-01/event').map((s) => JSON.parse(s.payload).event)).toEqual(['trapped', 'stopped_outside_door_zone']),
    );
    expect(() => sim.fault('r1/elevator/elev-99', 'trapped')).toThrow('no simulated device r1/elevator/elev-99');
    expect(() => sim.fault('r1/parking/park-01', 'trapped')).toThrow(/unknown parking fault/);
  });

  it('ready rejects when stopped before every device connected; a run ends on its own after durationMs', async () => {
    const broker = new FakeBroker(() => 'fail');
    const sim = start(broker, { devices: fleet(1) });
    await sim.stop();
    await expect(sim.ready).rejects.toThrow('the simulation stopped before every device had connected');
    const timed = start(new FakeBroker(), { devices: fleet(1), durationMs: 50 });
    await timed.done;
    expect(timed.stats().connected).toBe(0);
  });

  it('power cut: the device has its last gasp, drops its link without a goodbye (the broker sends its will), is silent, then reconnects, says online and reports again', async () => {
    const broker = new FakeBroker();
    const elev = 'compounds/r1/elevator/elev-01/';
    const { scenario, marks } = marked(broker, [
      { atMs: 60, untilMs: 300, match: { device: 'elev-01' }, fault: 'power_loss' },
      { atMs: 60, untilMs: 300, match: { device: 'elev-01' }, outage: 'power' },
    ]);
    const sim = start(broker, { devices: fleet(1), scenario });
    await sim.ready;
    await vi.waitFor(() => expect(broker.payloads((s) => s.topic === `${elev}telemetry` && s.client.reconnects > 0).length).toBeGreaterThan(2));
    expect(marks.map((m) => `${m.key} ${m.outage}`)).toEqual(['r1/elevator/elev-01 power', 'r1/elevator/elev-01 undefined']);
    const [cut, back] = marks;
    const during = broker.sent.slice(cut!.at, back!.at).filter((s) => s.topic.startsWith(elev));
    // At the cut: power_loss from its backup cell, then nothing but the will the broker publishes.
    expect(during[0]).toMatchObject({ topic: `${elev}event`, payload: expect.stringContaining('"event":"power_loss"') });
    expect(during.filter((s) => !s.topic.endsWith('/event'))).toEqual([expect.objectContaining({ topic: `${elev}status`, payload: 'offline', retain: true, will: true })]);
    const after = broker.sent.slice(back!.at).filter((s) => s.topic.startsWith(elev));
    expect(after[0]).toMatchObject({ topic: `${elev}status`, payload: 'online', retain: true });
    expect(after.slice(1).some((s) => s.topic === `${elev}telemetry`)).toBe(true);
    const client = broker.clients.find((c) => c.options.clientId === 'r1/elevator/elev-01')!;
    expect(client.reconnects).toBe(1);
    // The other devices never noticed.
    expect(broker.payloads((s) => isStatus(s) && !s.topic.startsWith(elev)).map((s) => s.payload)).toEqual(['online', 'online', 'online']);
    expect(sim.stats()).toMatchObject({ connected: 4, reconnects: 1, errors: 0 });
  });

  it('uplink down: the devices keep their connections but publish nothing, not even a status, then report again', async () => {
    const broker = new FakeBroker();
    const { scenario, marks } = marked(broker, [{ atMs: 60, untilMs: 300, match: { compound: 'r1', type: 'manhole' }, outage: 'uplink' }]);
    const sim = start(broker, { devices: fleet(2), scenario });
    await sim.ready;
    await vi.waitFor(() => expect(marks.filter((m) => m.outage === undefined)).toHaveLength(2));
    for (const key of ['r1/manhole/mh-01', 'r1/manhole/mh-02']) {
      const [cut, back] = marks.filter((m) => m.key === key);
      expect([cut!.outage, back!.outage]).toEqual(['uplink', undefined]);
      const topic = `compounds/${key}/`;
      expect(broker.sent.slice(cut!.at, back!.at).filter((s) => s.topic.startsWith(topic))).toEqual([]);
      await vi.waitFor(() => expect(broker.sent.slice(back!.at).filter((s) => s.topic === `${topic}telemetry`).length).toBeGreaterThan(0));
      expect(broker.payloads((s) => s.topic === `${topic}status`).map((s) => s.payload)).toEqual(['online']);
    }
    expect(broker.clients.every((c) => !c.ended && c.reconnects === 0)).toBe(true);
    expect(sim.stats()).toMatchObject({ connected: 8, reconnects: 0, dropped: 0 });
  });

  it('shared: the connection says offline for a device whose power goes (as its will would) and online when it is back', async () => {
    const broker = new FakeBroker();
    const { scenario, marks } = marked(broker, [{ atMs: 60, untilMs: 300, match: { device: 'fl-01' }, outage: 'power' }]);
    const sim = start(broker, { devices: fleet(1), scenario, connection: 'shared' });
    await sim.ready;
    await vi.waitFor(() => expect(marks).toHaveLength(2));
    const lane = 'compounds/r1/fire_lane/fl-01/';
    await vi.waitFor(() => expect(broker.sent.slice(marks[1]!.at).filter((s) => s.topic === `${lane}telemetry`).length).toBeGreaterThan(0));
    const [cut, back] = marks;
    expect(broker.sent.slice(cut!.at, back!.at).filter((s) => s.topic.startsWith(lane)).map((s) => [s.topic, s.payload, s.retain])).toEqual([[`${lane}status`, 'offline', true]]);
    expect(broker.sent.slice(back!.at).filter((s) => s.topic.startsWith(lane))[0]).toMatchObject({ topic: `${lane}status`, payload: 'online', retain: true });
    expect(broker.clients).toHaveLength(1);
    expect(broker.clients[0]!.ended).toBe(false);
  });

  it('refuses an empty or duplicated device list', () => {
    expect(() => startSimulation({ url: 'mqtt://x', devices: [] })).toThrow('no devices to simulate');
    const [d] = fleet(1);
    expect(() => startSimulation({ url: 'mqtt://x', devices: [d!, d!], createClient: new FakeBroker().factory })).toThrow(/listed twice/);
  });
});

describe('reconnect backoff', () => {
  it('grows from the minimum to the maximum, with jitter in the upper half', () => {
    const rng = createRng(1);
    const backoff = { minMs: 1000, maxMs: 30_000 };
    const delays = Array.from({ length: 10 }, (_, attempt) => backoffDelayMs(attempt, rng, backoff));
    delays.forEach((delay, attempt) => {
      const cap = Math.min(30_000, 1000 * 2 ** attempt);
      expect(delay).toBeGreaterThanOrEqual(cap / 2);
      expect(delay).toBeLessThanOrEqual(cap);
    });
    expect(backoffDelayMs(1000, rng, backoff)).toBeLessThanOrEqual(30_000);
    const spread = new Set(Array.from({ length: 50 }, () => Math.round(backoffDelayMs(0, rng, backoff))));
    expect(spread.size).toBeGreaterThan(40);
  });
});
