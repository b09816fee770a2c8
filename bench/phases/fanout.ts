/** What live dashboards cost: the hub's CPU at the same load without and with 200 dashboard sockets. */
import { connectLive, type LiveClient } from '../../test/helpers/live-client.ts';
import { loginCookie } from '../../test/helpers/test-hub.ts';
import { compoundIds } from '../../simulators/fleet.ts';
import type { BenchContext } from '../lib/context.ts';
import { startBenchHub } from '../lib/hub-bench.ts';
import { startLoadProcess } from '../lib/load.ts';
import { waitForOutput } from '../lib/children.ts';
import { watchProcess } from '../lib/proc-stats.ts';

export interface FanOutRow {
  rate: number;
  clients: number;
  coresWithout: number;
  coresWith: number;
  /** Extra cores for the clients. */
  cost: number;
  /** Batches the clients received per second, all together. */
  batchesPerSec: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function fanOut(ctx: BenchContext, clients: number, rate: number): Promise<FanOutRow> {
  const { hub } = await startBenchHub(ctx, 'fanout');
  const sockets: LiveClient[] = [];
  try {
    const windowSec = ctx.options.quick ? 5 : 10;
    const dir = await ctx.subdir('fanout');
    // Runs until stopped below (connecting 200 sockets takes a while).
    const load = startLoadProcess({ url: hub.info.brokerUrl, shape: ctx.shape, qos: 1, rate, durationSec: 3600, dir });
    await waitForOutput(load.child, /devices connected/, 60_000);
    await sleep(2000);
    let watch = watchProcess(hub.pid!);
    await sleep(windowSec * 1000);
    const without = watch.stop();
    ctx.say(`  without clients: ${without.cores.toFixed(2)} cores; connecting ${clients} sockets …`);

    // Property managers: each socket follows one compound's devices.
    const compounds = compoundIds(ctx.shape.compounds);
    await loginCookie(hub, 'root'); // one session for all of them (as one browser's tabs)
    for (let i = 0; i < clients; i += 20) {
      const group = await Promise.all(
        Array.from({ length: Math.min(20, clients - i) }, async (_, j) => {
          const live = await connectLive(hub, 'root');
          await live.subscribe({ compounds: [compounds[(i + j) % compounds.length]!], detail: 'devices' });
          return live;
        }),
      );
      sockets.push(...group);
    }
    ctx.say(`  ${sockets.length} sockets connected`);
    await sleep(1000);
    const received = () => sockets.reduce((n, s) => n + s.batches.length, 0);
    const before = received();
    watch = watchProcess(hub.pid!);
    await sleep(windowSec * 1000);
    const withClients = watch.stop();
    const batches = received() - before;
    load.child.proc.kill('SIGTERM'); // the generator stops cleanly and reports
    await load.result;
    return {
      rate,
      clients,
      coresWithout: without.cores,
      coresWith: withClients.cores,
      cost: withClients.cores - without.cores,
      batchesPerSec: Math.round(batches / windowSec),
    };
  } finally {
    for (const s of sockets) s.close();
    await hub.stop();
  }
}
