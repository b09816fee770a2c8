/** Parses compound-sim's command line into options, with one clear line per mistake. */
import { parseArgs } from 'node:util';
import { parseDurationMs } from '../src/config/config.schema.ts';
import { SCENARIOS } from './scenarios.ts';

export const USAGE = `compound-sim: simulated smart-compound devices publishing over MQTT

Usage: npm run sim -- [options]      (or: npx compound-sim [options])

  --url URL              broker (default mqtt://127.0.0.1:1883)
  --compounds N|a,b      number of compounds (c01, c02, …) or their ids (default 3)
  --elevators N          elevators per compound (default 4)
  --manholes N           manhole covers per compound (default 6)
  --fire-lanes N         fire lanes per compound (default 3)
  --parking N            parking spaces per compound (default 12)
  --interval D           report interval, e.g. 500ms, 5s, 1m (default 5s)
  --duration D           stop after D (default: run until Ctrl-C)
  --seed N               random seed; the same seed gives the same run (default 1)
  --fleet-key KEY        derives device secrets; must match the hub's registry (or env SIM_FLEET_KEY)
  --scenario NAME        ${Object.keys(SCENARIOS).join(' | ')} (default normal)
  --qos 0|1              QoS of telemetry and events (default 1)
  --connection MODE      per-device (each device logs in) | shared (one connection) (default per-device)
  --username U --password P   credentials of the shared connection
  --topic-root ROOT      first topic level (default compounds)
  --write-registry FILE  write the fleet's registry JSON for the hub (REGISTRY_FILE) and exit
  --help                 this text
`;

export interface CliOptions {
  url: string;
  compounds: number | string[];
  perCompound: { elevator: number; manhole: number; fire_lane: number; parking: number };
  intervalMs: number;
  durationMs?: number;
  seed: number;
  fleetKey?: string;
  scenario: string;
  qos: 0 | 1;
  connection: 'per-device' | 'shared';
  username?: string;
  password?: string;
  topicRoot: string;
  writeRegistry?: string;
  help: boolean;
}

export class UsageError extends Error {}

function count(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > 100_000) throw new UsageError(`--${name}: expected a whole number from 0 to 100000`);
  return Number(value);
}

function duration(name: string, value: string): number {
  try {
    const ms = parseDurationMs(value);
    if (ms <= 0) throw new Error();
    return ms;
  } catch {
    throw new UsageError(`--${name}: expected a duration like 500ms, 5s or 2m`);
  }
}

export function parseCli(argv: string[], env: Record<string, string | undefined> = {}): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
        compounds: { type: 'string', default: '3' },
        elevators: { type: 'string' },
        manholes: { type: 'string' },
        'fire-lanes': { type: 'string' },
        parking: { type: 'string' },
        interval: { type: 'string', default: '5s' },
        duration: { type: 'string' },
        seed: { type: 'string', default: '1' },
        'fleet-key': { type: 'string' },
        scenario: { type: 'string', default: 'normal' },
        qos: { type: 'string', default: '1' },
        connection: { type: 'string', default: 'per-device' },
        username: { type: 'string' },
        password: { type: 'string' },
        'topic-root': { type: 'string', default: 'compounds' },
        'write-registry': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
  const v = parsed.values;
  if (!/^(mqtts?|tcp|ssl|wss?):\/\//.test(v.url)) throw new UsageError('--url: expected mqtt://host:port (or mqtts://, ws://, wss://)');
  const compounds = /^\d+$/.test(v.compounds) ? count('compounds', v.compounds, 3) : v.compounds.split(',').map((s) => s.trim()).filter(Boolean);
  if (!SCENARIOS[v.scenario]) throw new UsageError(`--scenario: expected one of ${Object.keys(SCENARIOS).join(', ')}`);
  if (v.qos !== '0' && v.qos !== '1') throw new UsageError('--qos: expected 0 or 1');
  if (v.connection !== 'per-device' && v.connection !== 'shared') throw new UsageError('--connection: expected per-device or shared');
  if (!/^-?\d+$/.test(v.seed)) throw new UsageError('--seed: expected an integer');
  const intervalMs = duration('interval', v.interval);
  const durationMs = v.duration === undefined ? undefined : duration('duration', v.duration);
  const fleetKey = v['fleet-key'] ?? env.SIM_FLEET_KEY;
  if (!v.help && v.connection === 'per-device' && !fleetKey) {
    throw new UsageError('--fleet-key: required for per-device connections (device secrets derive from it); or set SIM_FLEET_KEY');
  }
  return {
    url: v.url,
    compounds,
    perCompound: {
      elevator: count('elevators', v.elevators, 4),
      manhole: count('manholes', v.manholes, 6),
      fire_lane: count('fire-lanes', v['fire-lanes'], 3),
      parking: count('parking', v.parking, 12),
    },
    intervalMs,
    durationMs,
    seed: Number(v.seed),
    fleetKey,
    scenario: v.scenario,
    qos: v.qos === '0' ? 0 : 1,
    connection: v.connection,
    username: v.username,
    password: v.password,
    topicRoot: v['topic-root'],
    writeRegistry: v['write-registry'],
    help: v.help,
  };
}
