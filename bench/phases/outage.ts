/**
 * InfluxDB gone for a while under load: the hub's memory stays bounded (overflow goes to the
 * spool on disk) and every point arrives once InfluxDB is back.
 */
import { startLocalInfluxd } from '../../src/store/index.ts';
import type { BenchContext } from '../lib/context.ts';
import { startBenchHub, whenStored } from '../lib/hub-bench.ts';
import { startLoadProcess } from '../lib/load.ts';
import { waitForOutput } from '../lib/children.ts';
import { rssMb } from '../lib/proc-stats.ts';
import { checkLoss, type LossCheck } from '../lib/stored.ts';

export interface OutageRow {
  rate: number;
  outageSec: number;
  rssBeforeMb: number;
  peakRssMb: number;
  peakSpoolMb: number;
  /** From InfluxDB's return until everything was stored. */
  catchUpSec: number;
  loss: LossCheck;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function influxOutage(ctx: BenchContext, rate: number, outageSec: number): Promise<OutageRow> {
  const influx = await startLocalInfluxd({ dataDir: await ctx.subdir('outage-influx') });
  const settings = { url: influx.url, api: 'v1' as const, database: 'bench_outage' };
  const { hub } = await startBenchHub(ctx, 'outage', {}, settings);
  try {
    const dir = await ctx.subdir('outage');
    const load = startLoadProcess({ url: hub.info.brokerUrl, shape: ctx.shape, qos: 1, rate, durationSec: outageSec + 20, dir });
    await waitForOutput(load.child, /devices connected/, 60_000);
    await sleep(5000);
    const rssBeforeMb = rssMb(hub.pid!);
    let peakRssMb = rssBeforeMb;
    let peakSpoolMb = 0;
    const sampler = setInterval(() => {
      peakRssMb = Math.max(peakRssMb, rssMb(hub.pid!));
      hub.readyz().then(({ body }) => (peakSpoolMb = Math.max(peakSpoolMb, body.storage.spoolBytes / 1e6)), () => undefined);
    }, 1000);
    influx.kill('SIGKILL');
    ctx.say(`  InfluxDB killed for ${outageSec} s under ${rate} msg/s …`);
    await sleep(outageSec * 1000);
    await influx.restart();
    const back = Date.now();
    const report = await load.result;
    await whenStored(hub);
    const catchUpSec = (Date.now() - back) / 1000;
    clearInterval(sampler);
    const loss = await checkLoss(settings, report.perDevice);
    return { rate, outageSec, rssBeforeMb, peakRssMb, peakSpoolMb, catchUpSec, loss };
  } finally {
    await hub.stop();
    await influx.stop();
  }
}
