/** compound-sim in load mode (--rate): runs the load generator, prints progress, writes the report. */
import { writeFile } from 'node:fs/promises';
import type { CliOptions, LoadOptions } from './cli-options.ts';
import type { CliIo } from './cli.command.ts';
import type { FleetDevice } from './fleet.ts';
import { startLoad } from './load.runner.ts';

/** setTimeout's limit: "until Ctrl-C". */
const FOREVER_MS = 2 ** 31 - 1;

export async function runLoadCli(options: CliOptions, load: LoadOptions, devices: FleetDevice[], io: CliIo): Promise<number> {
  io.out(
    `compound-sim: load of ${load.rate === 'max' ? 'as many messages as accepted' : `${load.rate} msg/s`} from ${devices.length} devices → ${options.url} ` +
      `(${options.connection}, QoS ${options.qos}, ${load.inflight} in flight per device, alert share ${load.alertShare}${load.ts === false ? ', no ts' : ''})\n`,
  );
  const started = Date.now();
  const run = startLoad({
    url: options.url,
    devices,
    qos: options.qos,
    rate: load.rate,
    durationMs: options.durationMs ?? FOREVER_MS,
    alertShare: load.alertShare,
    inflight: load.inflight,
    topicRoot: options.topicRoot,
    seed: options.seed,
    connectConcurrency: options.connectConcurrency,
    connection: options.connection,
    ...(load.ts === false ? { ts: false } : {}),
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
  });
  if (io.signal?.aborted) run.stop();
  io.signal?.addEventListener('abort', run.stop, { once: true });
  run.ready.then(
    () => io.out(`compound-sim: ${devices.length} devices connected after ${((Date.now() - started) / 1000).toFixed(1)} s\n`),
    () => undefined,
  );
  let last = { acked: 0, at: Date.now() };
  const progress =
    options.progressMs > 0
      ? setInterval(() => {
          const s = run.stats();
          const now = Date.now();
          const rate = ((s.acked - last.acked) * 1000) / Math.max(1, now - last.at);
          last = { acked: s.acked, at: now };
          io.out(
            `compound-sim: ${s.connected}/${s.devices} connected, ${s.acked} accepted (${Math.round(rate)}/s), ` +
              `${s.waits} waits on a full window, ${s.errors} errors${s.lastError ? ` (last: ${s.lastError})` : ''}\n`,
          );
        }, options.progressMs)
      : undefined;
  try {
    const report = await run.done;
    io.out(
      `compound-sim: load done: ${report.acked} of ${report.sent} accepted in ${(report.elapsedMs / 1000).toFixed(1)} s ` +
        `(${report.achievedRate} msg/s), ${report.waits} waits, ${report.errors} errors\n`,
    );
    if (load.reportFile !== undefined) await writeFile(load.reportFile, `${JSON.stringify(report)}\n`);
    return report.acked > 0 && report.errors === 0 ? 0 : 1;
  } catch (error) {
    io.err(`compound-sim: ${(error as Error).message}\n`);
    return 1;
  } finally {
    clearInterval(progress);
    io.signal?.removeEventListener('abort', run.stop);
  }
}
