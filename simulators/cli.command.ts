/**
 * compound-sim as a function: parse the options, then either write the fleet's registry or
 * run the fleet against a broker until the duration ends or `signal` aborts. Returns the
 * exit code: 0 done, 1 failed (refused, nothing published, file not written), 2 usage.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { buildFleet, fleetToRegistry, type FleetDevice, type RegistryMeta } from './fleet.ts';
import { districtFleet } from './district.ts';
import { ConnectionRefusedError, startSimulation } from './sim.runner.ts';
import { USAGE, UsageError, parseCli, type CliOptions } from './cli-options.ts';
import { runLoadCli } from './load.command.ts';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Aborting stops the run cleanly (Ctrl-C). */
  signal?: AbortSignal;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const every = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/**
 * The devices and registry places the options describe. The district's layout is fixed (the
 * seed is behaviour only, so a registry written without --seed takes a run with --seed 7); a
 * plain fleet's seed also moves its devices on the site plan, never ids or secrets.
 */
export function fleetOf(options: CliOptions, fleetKey: string): { devices: FleetDevice[]; meta: RegistryMeta } {
  const reportIntervalSec = Math.min(86_400, Math.max(1, Math.round(options.intervalMs / 1000)));
  if (options.district) {
    const { compounds, large } = options.district;
    return districtFleet({ compounds, ...(large !== undefined ? { large } : {}), fleetKey, reportIntervalSec });
  }
  return { devices: buildFleet({ compounds: options.compounds, perCompound: options.perCompound, fleetKey, reportIntervalSec, seed: options.seed }), meta: {} };
}

export async function runCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: CliIo): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCli(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`compound-sim: ${error.message}\nRun with --help for the options.\n`);
    return 2;
  }
  if (options.help) {
    io.out(USAGE);
    return 0;
  }

  // Shared connections carry no device secrets; any key gives the same ids.
  const fleetKey = options.fleetKey ?? 'shared-connection';
  const { devices, meta } = fleetOf(options, fleetKey);
  const compounds = new Set(devices.map((d) => d.compound)).size;

  if (options.writeRegistry !== undefined) {
    try {
      await writeFile(options.writeRegistry, `${JSON.stringify(fleetToRegistry(devices, meta), null, 2)}\n`);
    } catch (error) {
      io.err(`compound-sim: --write-registry: cannot write ${options.writeRegistry}: ${(error as Error).message}\n`);
      return 1;
    }
    io.out(
      `compound-sim: wrote the registry of ${devices.length} devices in ${compounds} compounds to ${options.writeRegistry}\n` +
        `  start the hub with REGISTRY_FILE=${options.writeRegistry}, then run compound-sim with the same options and --fleet-key\n`,
    );
    return 0;
  }
  if (options.load) return runLoadCli(options, options.load, devices, io);

  io.out(
    `compound-sim: ${devices.length} devices in ${compounds} compounds → ${options.url} ` +
      `(${options.connection}, QoS ${options.qos}, every ${every(options.intervalMs)}, scenario ${options.scenario}, seed ${options.seed})\n`,
  );
  let tls: Awaited<ReturnType<typeof readTls>>;
  try {
    tls = await readTls(options.tls);
  } catch (error) {
    io.err(`compound-sim: ${(error as Error).message}\n`);
    return 1;
  }
  const started = Date.now();
  const sim = startSimulation({
    url: options.url,
    devices,
    intervalMs: options.intervalMs,
    scenario: options.scenario,
    seed: options.seed,
    topicRoot: options.topicRoot,
    qos: options.qos,
    connection: options.connection,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(tls ? { tls } : {}),
    ...(options.durationMs !== undefined ? { durationMs: options.durationMs } : {}),
    connectConcurrency: options.connectConcurrency,
    timeScale: options.timeScale,
  });

  let failure: string | undefined;
  let stopping = false;
  const stop = () => {
    stopping = true;
    void sim.stop();
  };
  sim.ready.then(
    () => io.out(`compound-sim: ${options.connection === 'shared' ? 'connected' : `all ${devices.length} devices connected`} after ${seconds(Date.now() - started)}\n`),
    (error: Error) => {
      if (!(error instanceof ConnectionRefusedError) || stopping) return;
      failure = error.message;
      stop();
    },
  );
  if (io.signal?.aborted) stop();
  io.signal?.addEventListener('abort', stop, { once: true });

  let lastPublished = 0;
  let lastAt = started;
  const progress =
    options.progressMs > 0
      ? setInterval(() => {
          const s = sim.stats();
          const now = Date.now();
          const rate = ((s.published - lastPublished) * 1000) / Math.max(1, now - lastAt);
          [lastPublished, lastAt] = [s.published, now];
          const extra = [s.dropped ? `${s.dropped} dropped while offline` : '', s.reconnects ? `${s.reconnects} reconnects` : '']
            .filter(Boolean)
            .map((x) => `, ${x}`)
            .join('');
          io.out(
            `compound-sim: ${s.connected}/${s.devices} connected, ${s.published} published (${rate.toFixed(1)}/s), ` +
              `${s.events} events, ${s.errors} errors${extra}${s.errors && s.lastError ? ` (last: ${s.lastError})` : ''}\n`,
          );
        }, options.progressMs)
      : undefined;

  await sim.done;
  clearInterval(progress);
  io.signal?.removeEventListener('abort', stop);
  const s = sim.stats();
  const took = Date.now() - started;
  io.out(
    `compound-sim: stopped after ${seconds(took)}: ${s.published} published (${((s.published * 1000) / Math.max(1, took)).toFixed(1)}/s), ` +
      `${s.events} events, ${s.errors} errors\n`,
  );
  if (failure !== undefined) {
    io.err(`compound-sim: ${failure}\n`);
    return 1;
  }
  if (s.published === 0) {
    io.err(`compound-sim: nothing was published${s.lastError ? ` (last error: ${s.lastError})` : ''}; is a broker listening at ${options.url}?\n`);
    return 1;
  }
  return 0;
}

/** The PEM files of --ca, --cert and --key. */
async function readTls(files: CliOptions['tls']): Promise<{ ca?: Buffer; cert?: Buffer; key?: Buffer } | undefined> {
  if (!files) return undefined;
  const out: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  for (const name of ['ca', 'cert', 'key'] as const) {
    const file = files[name];
    if (file === undefined) continue;
    try {
      out[name] = await readFile(file);
    } catch (error) {
      throw new Error(`--${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  return out;
}
