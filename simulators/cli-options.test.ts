import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from './cli-options.ts';

const usage = (argv: string[]) => {
  try {
    parseCli(argv, {});
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
};

describe('compound-sim options', () => {
  it('has defaults and parses every option', () => {
    expect(parseCli(['--fleet-key', 'k'])).toMatchObject({
      url: 'mqtt://127.0.0.1:1883', compounds: 3, perCompound: { elevator: 4, manhole: 6, fire_lane: 3, parking: 12 },
      intervalMs: 5000, seed: 1, scenario: 'normal', qos: 1, connection: 'per-device',
    });
    expect(parseCli(['--compounds', 'a1,b2', '--interval', '250ms', '--duration', '2m', '--qos', '0', '--connection', 'shared', '--parking', '0'])).toMatchObject({
      compounds: ['a1', 'b2'], intervalMs: 250, durationMs: 120_000, qos: 0, connection: 'shared', perCompound: { parking: 0 },
    });
    expect(parseCli([], { SIM_FLEET_KEY: 'from-env' }).fleetKey).toBe('from-env');
  });

  it('says which option is wrong and why', () => {
    expect(usage(['--fleet-key', 'k', '--interval', 'soon'])).toBe('--interval: expected a duration like 500ms, 5s or 2m');
    expect(usage(['--fleet-key', 'k', '--elevators', 'many'])).toMatch(/^--elevators: expected a whole number/);
    expect(usage(['--fleet-key', 'k', '--qos', '2'])).toBe('--qos: expected 0 or 1');
    expect(usage(['--fleet-key', 'k', '--scenario', 'chaos'])).toMatch(/^--scenario: expected one of normal, faults/);
    expect(usage(['--fleet-key', 'k', '--url', 'http://x'])).toMatch(/^--url: /);
    expect(usage(['--bogus'])).toMatch(/Unknown option '--bogus'/);
    expect(usage([])).toMatch(/^--fleet-key: required/);
  });
});
