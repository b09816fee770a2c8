import { describe, expect, it } from 'vitest';
import { parseCli, parseDuration, UsageError } from './cli-options.ts';

const usage = (argv: string[], env: Record<string, string> = {}) => {
  try {
    parseCli(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
};

describe('compound-sim options', () => {
  it('has defaults', () => {
    expect(parseCli(['--fleet-key', 'k'])).toEqual({
      url: 'mqtt://127.0.0.1:1883',
      compounds: 3,
      perCompound: { elevator: 7, manhole: 7, fire_lane: 3, parking: 12 },
      intervalMs: 5000,
      seed: 1,
      fleetKey: 'k',
      scenario: 'normal',
      qos: 1,
      connection: 'per-device',
      topicRoot: 'compounds',
      timeScale: 1,
      connectConcurrency: 50,
      progressMs: 5000,
      help: false,
    });
  });

  it('parses every option', () => {
    expect(
      parseCli([
        '--url', 'mqtts://broker.example:8883', '--compounds', 'a1,b2', '--elevators', '8', '--manholes', '0', '--fire-lanes', '1', '--parking', '50',
        '--interval', '250ms', '--duration', '2m', '--seed', '42', '--scenario', 'faults', '--qos', '0', '--connection', 'shared',
        '--username', 'load', '--password', 'pw', '--topic-root', 'estates', '--time-scale', '60', '--concurrency', '10', '--progress', '0',
        '--write-registry', 'fleet.json', '--fleet-key', 'k',
      ]),
    ).toEqual({
      url: 'mqtts://broker.example:8883',
      compounds: ['a1', 'b2'],
      perCompound: { elevator: 8, manhole: 0, fire_lane: 1, parking: 50 },
      intervalMs: 250,
      durationMs: 120_000,
      seed: 42,
      fleetKey: 'k',
      scenario: 'faults',
      qos: 0,
      connection: 'shared',
      username: 'load',
      password: 'pw',
      topicRoot: 'estates',
      timeScale: 60,
      connectConcurrency: 10,
      progressMs: 0,
      writeRegistry: 'fleet.json',
      help: false,
    });
    expect(parseCli([], { SIM_FLEET_KEY: 'from-env' }).fleetKey).toBe('from-env');
    expect(parseCli(['--fleet-key', 'flag'], { SIM_FLEET_KEY: 'from-env' }).fleetKey).toBe('flag');
    expect(parseCli(['--connection', 'shared']).fleetKey).toBeUndefined();
    expect(parseCli(['--help']).help).toBe(true);
    expect(parseCli(['-h', '--interval', 'nonsense']).help).toBe(true);
  });

  it('reads durations with ms, s, m and h', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    for (const bad of ['5', 's', '5 s', '-5s', '5x', '1e3ms', '']) expect(parseDuration(bad)).toBeUndefined();
  });

  it.each([
    [['--interval', 'soon'], '--interval: expected a duration like 5s, 500ms or 2m, got "soon"'],
    [['--interval', '5'], '--interval: expected a duration like 5s, 500ms or 2m, got "5"'],
    [['--interval', '0s'], '--interval: expected a duration like 5s, 500ms or 2m, got "0s"'],
    [['--duration', '10 minutes'], '--duration: expected a duration like 5s, 500ms or 2m, got "10 minutes"'],
    [['--progress', 'often'], '--progress: expected a duration like 5s, 500ms or 2m, got "often"'],
    [['--elevators', 'many'], '--elevators: expected a whole number from 0 to 100000, got "many"'],
    [['--parking=-1'], '--parking: expected a whole number from 0 to 100000, got "-1"'],
    [['--parking', '-1'], "Option '--parking' argument is ambiguous."],
    [['--compounds', '0'], '--compounds: expected a whole number from 1 to 10000, got "0"'],
    [['--compounds', 'a1,B2'], '--compounds: "B2" is not a compound id (lowercase letters, digits, - and _)'],
    [['--compounds', 'a1,a1'], '--compounds: an id is listed twice'],
    [['--qos', '2'], '--qos: expected 0 or 1, got "2"'],
    [['--scenario', 'chaos'], '--scenario: expected one of normal, faults, trapped-passenger, manhole-tilted, fire-lane-blocked, zombie-car, flapping-sensor, maintenance-mode, power-cut, rainstorm, gateway-down, got "chaos"'],
    [['--connection', 'pooled'], '--connection: expected per-device or shared, got "pooled"'],
    [['--url', 'http://x'], '--url: expected mqtt://host:port (or mqtts://, ws://, wss://), got "http://x"'],
    [['--url', 'localhost:1883'], '--url: expected mqtt://host:port (or mqtts://, ws://, wss://), got "localhost:1883"'],
    [['--seed', 'abc'], '--seed: expected a whole number, got "abc"'],
    [['--time-scale', '0'], '--time-scale: expected a positive number such as 1 or 60, got "0"'],
    [['--topic-root', 'a/b'], '--topic-root: expected a plain id such as "compounds", got "a/b"'],
    [['--concurrency', '0'], '--concurrency: expected a whole number from 1 to 10000, got "0"'],
    [['--username', 'u'], '--username: only used with --connection shared (devices log in as themselves)'],
    [['--elevators', '0', '--manholes', '0', '--fire-lanes', '0', '--parking', '0'], '--elevators/--manholes/--fire-lanes/--parking: every count is 0, so there is nothing to simulate'],
    [['--bogus'], "Unknown option '--bogus'"],
    [['--interval'], "Option '--interval <value>' argument missing"],
    [['extra'], "Unexpected argument 'extra'. This command does not take positional arguments"],
  ])('%j → %s', (argv, message) => {
    expect(usage(['--fleet-key', 'k', ...argv])).toBe(message);
  });

  it('needs a fleet key for per-device connections and for registries', () => {
    expect(usage([])).toMatch(/^--fleet-key: required for per-device connections/);
    expect(usage(['--connection', 'shared', '--write-registry', 'f.json'])).toMatch(/^--fleet-key: required with --write-registry/);
    expect(usage([], { SIM_FLEET_KEY: '' })).toMatch(/^--fleet-key: required/);
  });

  it('takes the load mode with --rate, and its options only with it', () => {
    expect(parseCli(['--fleet-key', 'k', '--rate', '5000']).load).toEqual({ rate: 5000, alertShare: 0.001, inflight: 64 });
    expect(parseCli(['--fleet-key', 'k', '--rate', 'max', '--alert-share', '0.5', '--inflight', '8', '--report', 'r.json']).load).toEqual({
      rate: 'max', alertShare: 0.5, inflight: 8, reportFile: 'r.json',
    });
    expect(parseCli(['--fleet-key', 'k']).load).toBeUndefined();
    expect(usage(['--fleet-key', 'k', '--rate', 'fast'])).toMatch(/^--rate: expected a whole number/);
    expect(usage(['--fleet-key', 'k', '--rate', '0'])).toMatch(/^--rate: expected a whole number/);
    expect(usage(['--fleet-key', 'k', '--rate', '10', '--alert-share', '2'])).toMatch(/^--alert-share: expected a share from 0 to 1/);
    expect(usage(['--fleet-key', 'k', '--inflight', '8'])).toMatch(/^--inflight: only used in load mode/);
    expect(parseCli(['--fleet-key', 'k', '--rate', '100', '--no-ts']).load).toEqual({ rate: 100, alertShare: 0.001, inflight: 64, ts: false });
    expect(usage(['--fleet-key', 'k', '--no-ts'])).toMatch(/^--no-ts: only used in load mode/);
  });
});
