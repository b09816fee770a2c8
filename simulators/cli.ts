/**
 * compound-sim: run simulated devices against a broker, or write their registry.
 * `npm run sim -- --help`, `npx compound-sim --help`. Ctrl-C (or SIGTERM) stops cleanly;
 * a second one exits at once.
 */
import { runCli } from './cli.command.ts';

const abort = new AbortController();
const onSignal = (signal: NodeJS.Signals) => {
  if (abort.signal.aborted) {
    process.stderr.write(`compound-sim: ${signal} again, exiting now\n`);
    process.exit(130);
  }
  abort.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

process.exitCode = await runCli(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  signal: abort.signal,
});
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
