/** compound-sim: run simulated devices against a broker, or write their registry. */
import { writeFile } from 'node:fs/promises';
import { buildFleet, fleetToRegistry } from './fleet.ts';
import { startSimulation } from './sim.runner.ts';
import { USAGE, UsageError, parseCli } from './cli-options.ts';

async function main(): Promise<number> {
  let options;
  try {
    options = parseCli(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`compound-sim: ${error.message}\nRun with --help for the options.\n`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const devices = buildFleet({
    compounds: options.compounds,
    perCompound: options.perCompound,
    fleetKey: options.fleetKey ?? 'shared-connection',
    reportIntervalSec: Math.max(1, Math.round(options.intervalMs / 1000)),
    seed: options.seed,
  });
  if (options.writeRegistry) {
    await writeFile(options.writeRegistry, `${JSON.stringify(fleetToRegistry(devices), null, 2)}\n`);
    process.stdout.write(`compound-sim: wrote the registry of ${devices.length} devices to ${options.writeRegistry}\n`);
    return 0;
  }

  process.stdout.write(`compound-sim: ${devices.length} devices → ${options.url} (${options.connection}, QoS ${options.qos}, every ${options.intervalMs} ms, scenario ${options.scenario})\n`);
  const sim = startSimulation({ ...options, devices });
  let last = 0;
  const started = Date.now();
  const progress = setInterval(() => {
    const s = sim.stats();
    const rate = ((s.published - last) / 5).toFixed(1);
    last = s.published;
    process.stdout.write(`compound-sim: ${s.connected}/${s.devices} connected, ${s.published} published (${rate}/s), ${s.events} events, ${s.errors} errors\n`);
  }, 5000);
  const stop = () => void sim.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await sim.done;
  clearInterval(progress);
  const s = sim.stats();
  process.stdout.write(`compound-sim: stopped after ${((Date.now() - started) / 1000).toFixed(1)} s: ${s.published} published, ${s.events} events, ${s.errors} errors\n`);
  return s.published === 0 ? 1 : 0;
}

process.exitCode = await main();
