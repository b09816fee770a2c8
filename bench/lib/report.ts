/** The run's figures as a Markdown report, a terminal table and an SVG chart. */
import type { ThroughputRow } from '../phases/throughput.ts';
import type { LatencyRow } from '../phases/latency.ts';
import type { FanOutRow } from '../phases/fanout.ts';
import type { RebuildRow, ScaleRow } from '../phases/scale.ts';
import type { OutageRow } from '../phases/outage.ts';
import type { FloodRow } from '../phases/flood.ts';
import type { ScaleOutRow } from '../phases/scale-out.ts';

export interface Target {
  name: string;
  goal: string;
  value: string;
  met: boolean | null;
}

export interface BenchResults {
  startedAt: string;
  command: string;
  machine: Record<string, string>;
  options: { durationSec: number; quick: boolean; devices: number; compounds: number };
  throughput: ThroughputRow[];
  latency: LatencyRow[];
  fanOut?: FanOutRow;
  scale: ScaleRow[];
  rebuild?: RebuildRow;
  outage?: OutageRow;
  flood?: FloodRow[];
  scaleOut?: ScaleOutRow;
  targets: Target[];
  errors: string[];
}

const n = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const f = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const qos = (q: 0 | 1 | null) => (q === null ? '–' : String(q));
const loss = (l: { lost: number; duplicated: number }) => `${n(l.lost)} / ${n(l.duplicated)}`;

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function markdown(r: BenchResults): string {
  const parts: string[] = [];
  parts.push(`Run ${r.startedAt} · \`${r.command}\` · ${r.options.devices} devices in ${r.options.compounds} compounds · ${r.options.durationSec} s of load per throughput run`);
  parts.push(Object.entries(r.machine).map(([k, v]) => `- ${k}: ${v}`).join('\n'));
  parts.push('### Targets\n\n' + table(['target', 'goal', 'measured', 'met'], r.targets.map((t) => [t.name, t.goal, t.value, t.met === null ? 'n/a' : t.met ? 'yes' : '**no**'])));
  parts.push(
    '### Throughput, zero loss checked per device\n\n' +
      table(
        ['system', 'QoS', 'msg/s', 'accepted', 'lost / duplicated', 'CPU µs/msg', 'cores', 'peak RSS MB', 'generator cores'],
        r.throughput.map((t) => [t.system, qos(t.qos), n(t.rate), n(t.loss.expected), loss(t.loss), n(t.cpuUsPerMsg), f(t.cores), n(t.peakRssMb), t.generatorCores === undefined ? '–' : f(t.generatorCores)]),
      ),
  );
  if (r.latency.length) {
    parts.push(
      '### Alert latency: device publish → alert on a socket (ms)\n\n' +
        table(
          ['background msg/s (reached)', 'probes', 'missed', 'worker p50', 'p95', 'p99', 'max', 'compound room p50', 'p95', 'p99', 'max'],
          r.latency.map((l) => [`${n(l.backgroundRate)} (${n(l.achievedBackground)})`, n(l.probes), n(l.missed), f(l.worker.p50, 1), f(l.worker.p95, 1), f(l.worker.p99, 1), f(l.worker.max, 1), f(l.compoundRoom.p50, 1), f(l.compoundRoom.p95, 1), f(l.compoundRoom.p99, 1), f(l.compoundRoom.max, 1)]),
        ),
    );
  }
  if (r.fanOut) {
    const o = r.fanOut;
    parts.push('### Live fan-out\n\n' + table(['load msg/s', 'clients', 'hub cores without', 'with', 'cost (cores)', 'batches/s received'], [[n(o.rate), n(o.clients), f(o.coresWithout), f(o.coresWith), f(o.cost), n(o.batchesPerSec)]]));
  }
  if (r.scale.length) {
    parts.push('### Registered devices\n\n' + table(['devices', 'start-up ms', 'RSS idle MB', 'RSS with state MB', 'lost / duplicated'], r.scale.map((s) => [n(s.devices), n(s.startMs), n(s.idleRssMb), n(s.rssMb), loss(s.loss)])));
  }
  if (r.rebuild) {
    const b = r.rebuild;
    parts.push('### Open alerts rebuilt from the event log\n\n' + table(['open alerts', 'start, empty log ms', 'start with rebuild ms', 'open after restart'], [[n(b.openAlerts), n(b.startMs), n(b.restartMs), n(b.rebuiltOpen)]]));
  }
  if (r.outage) {
    const o = r.outage;
    parts.push(
      '### InfluxDB outage under load\n\n' +
        table(['load msg/s', 'outage s', 'RSS before MB', 'peak RSS MB', 'peak spool MB', 'catch-up s', 'lost / duplicated'], [[n(o.rate), n(o.outageSec), n(o.rssBeforeMb), n(o.peakRssMb), f(o.peakSpoolMb, 1), f(o.catchUpSec, 1), loss(o.loss)]]),
    );
  }
  if (r.flood?.length) {
    parts.push(
      '### One device flooding QoS 0, 50 others at 5 msg/s QoS 1 (ms)\n\n' +
        table(
          ['run', 'flood msg/s', 'flooder connects', 'dropped', 'flooder readings taken', "others' QoS 1", 'ack p50', 'p99', 'max', '/healthz p50', 'p99', 'max'],
          r.flood.map((x) => [x.label, n(x.floodRate), n(x.floodConnects), n(x.dropped), n(x.floodAccepted), n(x.normalSent), f(x.ack.p50, 1), f(x.ack.p99, 1), f(x.ack.max, 1), f(x.healthz.p50, 1), f(x.healthz.p99, 1), f(x.healthz.max, 1)]),
        ),
    );
  }
  if (r.scaleOut) {
    const s = r.scaleOut;
    const sec = (x: number) => f(x, 1);
    const lines: string[] = [];
    lines.push(
      `### Scale-out: CLUSTER=on over one Mosquitto and one PostgreSQL, ${s.partitions} partitions\n\n` +
        table(
          ['instances', 'offered msg/s', 'stored readings/s', 'during load /s', 'acked by broker /s', 'queue drained s', 'lost / duplicated', 'hub CPU µs/reading', 'hub cores', 'Mosquitto µs/reading', 'InfluxDB µs/reading', 'generator cores', 'peak RSS MB', 'leases lost', 'split (compounds: readings)'],
          s.runs.map((x) => [n(x.instances), n(x.offered), n(x.rate), n(x.storedDuringLoad), n(x.ackedRate), sec(x.drainSec), loss(x.loss), f(x.cpuUsPerReading, 1), f(x.hubCores), f(x.brokerUsPerReading, 1), f(x.influxUsPerReading, 1), f(x.generatorCores), n(x.peakRssMb), n(x.leasesLost), x.split.map((p) => `${p.instance} ${p.partitions} p, ${p.compounds}: ${n(p.readings)}`).join('; ')]),
        ),
    );
    if (s.ratio !== null) lines.push(`2 instances / 1 instance: **${f(s.ratio)} ×** on this machine.`);
    if (s.takeover) {
      const t = s.takeover;
      lines.push(
        '#### Takeover after kill -9 of one of 2 instances (seconds after the kill)\n\n' +
          table(
            ['lease s', 'load msg/s', 'killed', 'partitions moved', 'loaded compounds moved', 'all partitions owned', 'last acquired (log)', 'latest expiry taken over', 'moved compounds: first reading stored', 'every one', 'caught up (< 2 s behind)', 'acked', 'lost / duplicated', 'lost: moved / own', 'survivor leases lost'],
            [[f(t.leaseMs / 1000, 0), n(t.offered), t.killed, n(t.movedPartitions), n(t.movedCompounds), sec(t.ownedAgainSec), sec(t.lastAcquiredSec), sec(t.latestPreviousExpirySec), sec(t.firstFlowSec), sec(t.allFlowSec), sec(t.caughtUpSec), n(t.acked), loss(t.loss), `${n(t.lostMoved)} / ${n(t.lostOwn)}`, n(t.survivorLeasesLost)]],
          ),
      );
    }
    if (s.sizing) {
      const z = s.sizing;
      lines.push(
        '#### Sizing from the cost of one instance\n\n' +
          table(
            ['hub CPU per reading', 'CPU s per 1000 readings', 'readings/s per core', `devices per instance (1 reading / ${z.reportEverySec} s, ${f(z.headroom * 100, 0)} % headroom)`, `instances for ${n(z.city)} devices`],
            [[`${f(z.cpuUsPerReading, 1)} µs`, f(z.cpuUsPerReading / 1000, 4), n(z.readingsPerCoreSec), n(z.devicesPerInstance), n(z.instancesForCity)]],
          ),
      );
    }
    lines.push(s.notes.map((x) => `- ${x}`).join('\n'));
    parts.push(lines.join('\n\n'));
  }
  if (r.errors.length) parts.push('### Phases that failed\n\n' + r.errors.map((e) => `- ${e}`).join('\n'));
  return parts.join('\n\n') + '\n';
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Two panels: sustained throughput per system and QoS; alert latency percentiles per load. */
export function svgChart(r: BenchResults): string {
  const width = 900;
  const bars = r.throughput.map((t) => ({ label: `${t.system}${t.qos === null ? '' : ` · QoS ${t.qos}`}`, value: t.rate, lossy: t.loss.lost + t.loss.duplicated > 0 }));
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rowH = 26;
  const left = 360;
  const top1 = 40;
  const plotW = width - left - 90;
  const out: string[] = [];
  out.push(`<text x="10" y="24" font-size="16" font-weight="bold">Sustained throughput, msg/s (zero loss checked; red = loss)</text>`);
  bars.forEach((b, i) => {
    const y = top1 + i * rowH;
    const w = Math.max(1, (b.value / max) * plotW);
    out.push(`<text x="${left - 8}" y="${y + 17}" font-size="12" text-anchor="end">${esc(b.label)}</text>`);
    out.push(`<rect x="${left}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${b.lossy ? '#d9534f' : b.label.startsWith('Compound Hub') ? '#1f6feb' : '#8b949e'}"/>`);
    out.push(`<text x="${left + w + 6}" y="${y + 17}" font-size="12">${n(b.value)}</text>`);
  });
  let y = top1 + bars.length * rowH + 40;
  if (r.latency.length) {
    out.push(`<text x="10" y="${y}" font-size="16" font-weight="bold">Alert latency to the grid worker's socket, ms (p50 / p95 / p99)</text>`);
    y += 16;
    const lmax = Math.max(1, ...r.latency.map((l) => l.worker.p99).filter(Number.isFinite));
    const colours = ['#2da44e', '#bf8700', '#cf222e'];
    for (const l of r.latency) {
      out.push(`<text x="${left - 8}" y="${y + 30}" font-size="12" text-anchor="end">background ${n(l.backgroundRate)} msg/s</text>`);
      [l.worker.p50, l.worker.p95, l.worker.p99].forEach((v, j) => {
        const w = Math.max(1, ((Number.isFinite(v) ? v : 0) / lmax) * plotW);
        out.push(`<rect x="${left}" y="${y + 4 + j * 14}" width="${w.toFixed(1)}" height="12" fill="${colours[j]}"/>`);
        out.push(`<text x="${left + w + 6}" y="${y + 14 + j * 14}" font-size="11">${['p50', 'p95', 'p99'][j]} ${f(v, 1)}</text>`);
      });
      y += 52;
    }
  }
  const height = y + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${out.join('')}</svg>\n`;
}
