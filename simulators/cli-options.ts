/** Parses compound-sim's command line into options, with one clear line per mistake. */
import { parseArgs } from 'node:util';
import { DEMO_PER_COMPOUND, type PerCompound } from './fleet.ts';
import { SCENARIOS, scenarioNames } from './scenarios/index.ts';

export const USAGE = `compound-sim: simulated smart-compound devices publishing over MQTT

Usage: npm run sim -- [options]      (or: npx compound-sim [options])

  --url URL              broker (default mqtt://127.0.0.1:1883; mqtt, mqtts, ws, wss)
  --compounds N|a,b      number of compounds (c01, c02, …) or their ids (default 3)
  --district N           a whole district instead: N compounds (c001 …) of ~90 devices each
                         (27,000 for 300), named, over 12 streets, with map locations
  --large N              with --district: the first compound has N devices (e.g. 2000)
  --elevators N          elevators per compound (default ${DEMO_PER_COMPOUND.elevator})
  --manholes N           manhole covers per compound (default ${DEMO_PER_COMPOUND.manhole})
  --fire-lanes N         fire lanes per compound (default ${DEMO_PER_COMPOUND.fire_lane})
  --parking N            parking spaces per compound (default ${DEMO_PER_COMPOUND.parking})
                         (the defaults are the demo's: with its fleet key, compound-sim joins it)
  --interval D           report interval, e.g. 500ms, 5s, 1m (default 5s)
  --duration D           stop after D (default: run until Ctrl-C)
  --seed N               random seed; the same seed gives the same behaviour (default 1);
                         never changes ids or secrets, nor anything of --district's registry
  --fleet-key KEY        derives device secrets; must match the hub's registry
                         (or env SIM_FLEET_KEY; not needed for --connection shared)
  --scenario NAME        ${scenarioNames().join(' | ')} (default normal)
${scenarioNames()
  .map((name) => `                           ${name}: ${SCENARIOS[name]!.description}`)
  .join('\n')}
  --qos 0|1              QoS of telemetry and events (default 1)
  --connection MODE      per-device (each device logs in) | shared (one connection)
                         (default per-device)
  --username U           user name of the shared connection
  --password P           password of the shared connection
  --ca FILE              CA certificate (PEM) to trust on mqtts:// and wss:// (the one that
                         signed the hub's MQTT_TLS_CERT)
  --cert FILE --key FILE client certificate and key of the shared connection (mutual TLS)
  --topic-root ROOT      first topic level (default compounds)
  --time-scale X         run behaviours X times faster than the clock (default 1)
  --concurrency N        connection attempts in flight at once (default 50)
  --progress D           progress line every D; 0 for none (default 5s)
  --write-registry FILE  write the fleet's registry JSON for the hub (REGISTRY_FILE) and exit

Load mode (benchmarks): --rate replaces the behaviours and scenarios with plain telemetry.
  --rate N|max           messages per second over the whole fleet, or max: as fast as the
                         broker acknowledges
  --alert-share X        share of messages with values the default rules act on (default 0.001)
  --inflight N           unacknowledged messages per device before it waits (default 64)
  --report FILE          write the run's JSON report (messages accepted per device) at the end
  --no-ts                messages without ts: the hub stamps them on receipt (cellular
                         modems, gateways without a clock)
  --help                 this text
`;

export interface CliOptions {
  url: string;
  compounds: number | string[];
  /** --district: the district preset (its compounds and device counts replace --compounds and the per-type counts). */
  district?: { compounds: number; large?: number };
  perCompound: PerCompound;
  intervalMs: number;
  durationMs?: number;
  seed: number;
  fleetKey?: string;
  scenario: string;
  qos: 0 | 1;
  connection: 'per-device' | 'shared';
  username?: string;
  password?: string;
  /** PEM files for mqtts:// and wss://: --ca, --cert, --key. */
  tls?: { ca?: string; cert?: string; key?: string };
  topicRoot: string;
  timeScale: number;
  connectConcurrency: number;
  /** 0: no progress lines. */
  progressMs: number;
  writeRegistry?: string;
  /** Set: load mode. */
  load?: LoadOptions;
  help: boolean;
}

export interface LoadOptions {
  rate: number | 'max';
  alertShare: number;
  inflight: number;
  reportFile?: string;
  /** --no-ts: messages without `ts`. */
  ts?: false;
}

/** A mistake on the command line: the message names the option. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `500ms`, `5s`, `1.5m`, `2h` → milliseconds; undefined if it is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}

function duration(name: string, value: string, { allowZero = false } = {}): number {
  const ms = parseDuration(value);
  if (ms === undefined || (ms <= 0 && !allowZero) || ms > 365 * 86_400_000) {
    throw new UsageError(`--${name}: expected a duration like 5s, 500ms or 2m, got "${value}"`);
  }
  return ms;
}

function wholeNumber(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${name}: expected a whole number from ${min} to ${max}, got "${value}"`);
  }
  return Number(value);
}

const ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

function compoundsOption(value: string): number | string[] {
  if (/^\d+$/.test(value)) return wholeNumber('compounds', value, 3, 1, 10_000);
  const ids = value.split(',').map((s) => s.trim());
  const bad = ids.find((id) => !ID.test(id));
  if (bad !== undefined) throw new UsageError(`--compounds: "${bad}" is not a compound id (lowercase letters, digits, - and _)`);
  if (new Set(ids).size !== ids.length) throw new UsageError('--compounds: an id is listed twice');
  return ids;
}

export function parseCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
        compounds: { type: 'string' },
        district: { type: 'string' },
        large: { type: 'string' },
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
        ca: { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        'topic-root': { type: 'string', default: 'compounds' },
        'time-scale': { type: 'string', default: '1' },
        concurrency: { type: 'string' },
        progress: { type: 'string', default: '5s' },
        'write-registry': { type: 'string' },
        rate: { type: 'string' },
        'alert-share': { type: 'string' },
        inflight: { type: 'string' },
        report: { type: 'string' },
        'no-ts': { type: 'boolean' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    // node's messages: "Unknown option '--x'. To specify a positional argument …" → first sentence.
    const message = (error as Error).message.split('\n')[0]!.replace(/\. To specify a positional.*$/, '');
    throw new UsageError(message);
  }
  const v = parsed.values;
  if (v.help) return { ...defaults(), help: true };

  let url: URL | undefined;
  try {
    url = new URL(v.url);
  } catch {
    url = undefined;
  }
  if (!url || !/^(mqtts?|tcp|ssl|wss?):$/.test(url.protocol) || !url.hostname) {
    throw new UsageError(`--url: expected mqtt://host:port (or mqtts://, ws://, wss://), got "${v.url}"`);
  }
  const district = districtOption(v);
  const compounds = compoundsOption(v.compounds ?? '3');
  if (!Object.hasOwn(SCENARIOS, v.scenario)) throw new UsageError(`--scenario: expected one of ${scenarioNames().join(', ')}, got "${v.scenario}"`);
  if (v.qos !== '0' && v.qos !== '1') throw new UsageError(`--qos: expected 0 or 1, got "${v.qos}"`);
  if (v.connection !== 'per-device' && v.connection !== 'shared') {
    throw new UsageError(`--connection: expected per-device or shared, got "${v.connection}"`);
  }
  if (!/^-?\d{1,10}$/.test(v.seed)) throw new UsageError(`--seed: expected a whole number, got "${v.seed}"`);
  if (!ID.test(v['topic-root'])) throw new UsageError(`--topic-root: expected a plain id such as "compounds", got "${v['topic-root']}"`);
  const timeScale = Number(v['time-scale']);
  if (!/^\d+(\.\d+)?$/.test(v['time-scale']) || !(timeScale > 0) || timeScale > 100_000) {
    throw new UsageError(`--time-scale: expected a positive number such as 1 or 60, got "${v['time-scale']}"`);
  }
  const perCompound: PerCompound = {
    elevator: wholeNumber('elevators', v.elevators, DEMO_PER_COMPOUND.elevator, 0, 100_000),
    manhole: wholeNumber('manholes', v.manholes, DEMO_PER_COMPOUND.manhole, 0, 100_000),
    fire_lane: wholeNumber('fire-lanes', v['fire-lanes'], DEMO_PER_COMPOUND.fire_lane, 0, 100_000),
    parking: wholeNumber('parking', v.parking, DEMO_PER_COMPOUND.parking, 0, 100_000),
  };
  if (Object.values(perCompound).every((n) => n === 0)) {
    throw new UsageError('--elevators/--manholes/--fire-lanes/--parking: every count is 0, so there is nothing to simulate');
  }
  const intervalMs = duration('interval', v.interval);
  const durationMs = v.duration === undefined ? undefined : duration('duration', v.duration);
  const progressMs = v.progress === '0' ? 0 : duration('progress', v.progress);
  const connectConcurrency = wholeNumber('concurrency', v.concurrency, 50, 1, 10_000);
  const fleetKey = v['fleet-key'] ?? (env.SIM_FLEET_KEY || undefined);
  if (fleetKey === undefined && (v.connection === 'per-device' || v['write-registry'] !== undefined)) {
    throw new UsageError(
      v['write-registry'] !== undefined
        ? '--fleet-key: required with --write-registry (the registry holds hashes of secrets derived from it); or set SIM_FLEET_KEY'
        : '--fleet-key: required for per-device connections (device secrets derive from it); or set SIM_FLEET_KEY',
    );
  }
  if (v.connection === 'per-device') {
    if (v.username !== undefined) throw new UsageError('--username: only used with --connection shared (devices log in as themselves)');
    if (v.password !== undefined) throw new UsageError('--password: only used with --connection shared (devices log in as themselves)');
  }
  const tls = tlsFiles(v, url.protocol);
  const load = loadOptions(v);
  if (load && tls) throw new UsageError(`--${v.ca !== undefined ? 'ca' : 'cert'}: not used in load mode (with --rate); run the load over mqtt://`);
  return {
    url: v.url,
    compounds,
    ...(district ? { district } : {}),
    perCompound,
    intervalMs,
    ...(durationMs !== undefined ? { durationMs } : {}),
    seed: Number(v.seed) >>> 0,
    ...(fleetKey !== undefined ? { fleetKey } : {}),
    scenario: v.scenario,
    qos: v.qos === '0' ? 0 : 1,
    connection: v.connection,
    ...(v.username !== undefined ? { username: v.username } : {}),
    ...(v.password !== undefined ? { password: v.password } : {}),
    ...(tls ? { tls } : {}),
    topicRoot: v['topic-root'],
    timeScale,
    connectConcurrency,
    progressMs,
    ...(v['write-registry'] !== undefined ? { writeRegistry: v['write-registry'] } : {}),
    ...(load ? { load } : {}),
    help: false,
  };
}

function districtOption(v: { compounds?: string; district?: string; large?: string; elevators?: string; manholes?: string; 'fire-lanes'?: string; parking?: string }): CliOptions['district'] {
  if (v.district === undefined) {
    if (v.large !== undefined) throw new UsageError('--large: only used with --district');
    return undefined;
  }
  const clash = (['compounds', 'elevators', 'manholes', 'fire-lanes', 'parking'] as const).find((name) => v[name] !== undefined);
  if (clash) throw new UsageError(`--${clash}: not used with --district (the preset sets the compounds and their devices)`);
  const compounds = wholeNumber('district', v.district, 300, 1, 10_000);
  return { compounds, ...(v.large !== undefined ? { large: wholeNumber('large', v.large, 2000, 4, 100_000) } : {}) };
}

function tlsFiles(v: { ca?: string; cert?: string; key?: string; connection: string }, protocol: string): CliOptions['tls'] {
  if (v.ca === undefined && v.cert === undefined && v.key === undefined) return undefined;
  const name = v.ca !== undefined ? 'ca' : v.cert !== undefined ? 'cert' : 'key';
  if (!/^(mqtts|ssl|wss):$/.test(protocol)) throw new UsageError(`--${name}: only used with an mqtts:// or wss:// --url`);
  if ((v.cert === undefined) !== (v.key === undefined)) throw new UsageError(v.cert === undefined ? '--key: needs --cert' : '--cert: needs --key');
  if (v.cert !== undefined && v.connection !== 'shared') {
    throw new UsageError('--cert: only used with --connection shared (each device logs in as itself, with its own secret)');
  }
  return { ...(v.ca !== undefined ? { ca: v.ca } : {}), ...(v.cert !== undefined ? { cert: v.cert, key: v.key! } : {}) };
}

function loadOptions(v: { rate?: string; 'alert-share'?: string; inflight?: string; report?: string; 'no-ts'?: boolean }): LoadOptions | undefined {
  if (v.rate === undefined) {
    const stray = (['alert-share', 'inflight', 'report', 'no-ts'] as const).find((name) => v[name] !== undefined);
    if (stray) throw new UsageError(`--${stray}: only used in load mode (with --rate)`);
    return undefined;
  }
  const rate = v.rate === 'max' ? 'max' : wholeNumber('rate', v.rate, 0, 1, 10_000_000);
  const share = v['alert-share'] ?? '0.001';
  const alertShare = Number(share);
  if (!/^\d*\.?\d+$/.test(share) || alertShare > 1) throw new UsageError(`--alert-share: expected a share from 0 to 1 such as 0.001, got "${share}"`);
  return {
    rate,
    alertShare,
    inflight: wholeNumber('inflight', v.inflight, 64, 1, 65_535),
    ...(v.report !== undefined ? { reportFile: v.report } : {}),
    ...(v['no-ts'] ? { ts: false as const } : {}),
  };
}

function defaults(): CliOptions {
  return {
    url: 'mqtt://127.0.0.1:1883',
    compounds: 3,
    perCompound: { ...DEMO_PER_COMPOUND },
    intervalMs: 5000,
    seed: 1,
    scenario: 'normal',
    qos: 1,
    connection: 'per-device',
    topicRoot: 'compounds',
    timeScale: 1,
    connectConcurrency: 50,
    progressMs: 5000,
    help: false,
  };
}
