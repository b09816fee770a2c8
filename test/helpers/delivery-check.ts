/**
 * Nothing lost, nothing doubled: a ledger of the messages the broker acknowledged to the
 * simulated devices (by device and `seq`), checked against the points InfluxDB holds.
 *
 *   const ledger = new DeliveryLedger();
 *   startSimulation({ ..., onPublished: ledger.record });   // or startLoad({ ..., onAcked: ledger.record })
 *   const report = await checkDelivery(settings, ledger);
 *   expect(report.lost).toEqual({}); expect(report.duplicated).toEqual({});
 */
import { DEVICE_TYPES } from '../../src/contracts/device-types.ts';
import { influxQuery, type StoreSettings } from '../../src/store/index.ts';

export class DeliveryLedger {
  /** device → seq → place in the order of acknowledgement (0, 1, …). */
  readonly #acked = new Map<string, Map<number, number>>();
  #total = 0;

  /** For `startSimulation({ onPublished })`: one message the broker took. */
  readonly record = (deviceKey: string, message: { payload: { seq?: number } }): void => {
    const seq = message.payload.seq;
    if (seq === undefined) throw new Error(`${deviceKey}: a message without seq cannot be checked`);
    let seqs = this.#acked.get(deviceKey);
    if (!seqs) this.#acked.set(deviceKey, (seqs = new Map()));
    seqs.set(seq, this.#total);
    this.#total += 1;
  };

  /** Messages acknowledged so far. */
  get total(): number {
    return this.#total;
  }

  /** Per device, the acknowledged seqs. */
  acked(): Map<string, number[]> {
    return new Map([...this.#acked].map(([device, seqs]) => [device, [...seqs.keys()]]));
  }

  /** Where a message stands in the order of acknowledgement (0 = first). */
  place(deviceKey: string, seq: number): number | undefined {
    return this.#acked.get(deviceKey)?.get(seq);
  }

  /** A copy of what was acknowledged until now (to check while more keeps coming). */
  snapshot(): DeliveryLedger {
    const copy = new DeliveryLedger();
    const all = [...this.#acked].flatMap(([device, seqs]) => [...seqs].map(([seq, at]) => ({ device, seq, at })));
    for (const m of all.sort((a, b) => a.at - b.at)) copy.record(m.device, { payload: { seq: m.seq } });
    return copy;
  }
}

export interface DeliveryReport {
  /** Messages the broker acknowledged. */
  acknowledged: number;
  /** Points with a `seq` stored for the ledger's devices. */
  stored: number;
  /** Per device, acknowledged seqs that InfluxDB does not hold. */
  lost: Record<string, number[]>;
  /**
   * Per device, seqs InfluxDB holds more than once (at different times). With `ts` a redelivery lands
   * on its own point again; without `ts` it has another receive time, so it shows here.
   */
  duplicated: Record<string, number[]>;
}

/** The `seq` of every stored point, per device key (`compound/type/device`). */
export async function storedSeqs(settings: StoreSettings): Promise<Map<string, number[]>> {
  const measurements = DEVICE_TYPES.map((t) => `"${t}"`).join(',');
  const results = await influxQuery(settings, `SELECT "seq" FROM ${measurements} GROUP BY "compound","device"`);
  const seqs = new Map<string, number[]>();
  for (const series of results[0]?.series ?? []) {
    const key = `${series.tags?.compound}/${series.name}/${series.tags?.device}`;
    const list = seqs.get(key) ?? [];
    for (const row of series.values) if (typeof row[1] === 'number') list.push(row[1]);
    seqs.set(key, list);
  }
  return seqs;
}

export async function checkDelivery(settings: StoreSettings, ledger: DeliveryLedger): Promise<DeliveryReport> {
  const stored = await storedSeqs(settings);
  const report: DeliveryReport = { acknowledged: ledger.total, stored: 0, lost: {}, duplicated: {} };
  for (const [device, acked] of ledger.acked()) {
    const held = stored.get(device) ?? [];
    report.stored += held.length;
    const seen = new Set<number>();
    const twice = new Set<number>();
    for (const seq of held) (seen.has(seq) ? twice : seen).add(seq);
    const missing = acked.filter((seq) => !seen.has(seq));
    if (missing.length > 0) report.lost[device] = missing.sort((a, b) => a - b);
    if (twice.size > 0) report.duplicated[device] = [...twice].sort((a, b) => a - b);
  }
  return report;
}

/** Seqs as ranges, e.g. `3-7, 12` (for failure messages). */
export function seqRanges(seqs: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < seqs.length; i += 1) {
    let j = i;
    while (j + 1 < seqs.length && seqs[j + 1] === seqs[j]! + 1) j += 1;
    parts.push(i === j ? `${seqs[i]}` : `${seqs[i]}-${seqs[j]}`);
    i = j;
  }
  return parts.join(', ');
}

/** Per device, the lost seqs as ranges: `expect(lostRanges(report)).toEqual({})` says what went missing. */
export function lostRanges(report: DeliveryReport): Record<string, string> {
  return Object.fromEntries(Object.entries(report.lost).map(([device, seqs]) => [device, seqRanges(seqs)]));
}

/** How many messages a report says were lost. */
export const lostCount = (report: DeliveryReport): number => Object.values(report.lost).reduce((n, seqs) => n + seqs.length, 0);

/** The report once the stored points stop changing (polled every `intervalMs`, up to `timeoutMs`). */
export async function settledDelivery(settings: StoreSettings, ledger: DeliveryLedger, intervalMs = 1500, timeoutMs = 30_000): Promise<DeliveryReport> {
  const deadline = Date.now() + timeoutMs;
  let last = await checkDelivery(settings, ledger);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    const next = await checkDelivery(settings, ledger);
    if (next.stored === last.stored && lostCount(next) === lostCount(last)) return next;
    if (Date.now() > deadline) throw new Error(`stored points still changing after ${timeoutMs} ms (${next.stored} stored)`);
    last = next;
  }
}
