/**
 * Closed-loop figures from alert events (design.md §7): how many alerts, how fast they
 * were accepted and resolved (mean, p90), and the share that kept their SLA; for rescues
 * (rules that need arrival on site) how fast someone was on site and the share on site in
 * time (30 分钟到达率); how many were handed over (流转) and the satisfaction of the ratings
 * after closing (评价) — overall, per compound, worker, street, rule and party, and alerts per day.
 */
import { EVALUATING_PARTIES, type EvaluatingParty, type StoredAlertEvent } from './alert.types.ts';
import type { AlertsConfig } from './sla.config.ts';
import type { Figures, Satisfaction, StatsAnswer } from '../contracts/api.ts';

export type { Figures };
/** perDay: alerts raised per UTC+8 calendar day (the compounds' local day). */
export type ClosedLoopReport = StatsAnswer;

/** What the figures need to know beyond the events: which alerts are rescues and by when someone must be on site, and each compound's street. */
export interface FiguresContext {
  /** Minutes from dispatch to arrival for a rule in a compound (ArrivalPolicy.minutes); undefined: no arrival needed. */
  arrivalMinutes?(ruleId: string, compound: string): number | undefined;
  /** The street (id) a compound belongs to, from the registry. */
  streetOf?(compound: string): string | undefined;
}

interface Track {
  compound: string;
  rule: string;
  severity: StoredAlertEvent['severity'];
  raisedAt: number;
  acceptedAt?: number;
  resolvedAt?: number;
  closed: boolean;
  escalated: boolean;
  worker?: string;
  /** When the arrival clock started (the first dispatch, as in the alert book). */
  dispatchedAt?: number;
  /** Rescues only: the arrival deadline. */
  arrivalDueAt?: number;
  arrivedAt?: number;
  /** Parties it was handed over to, in order. */
  parties: string[];
  /** Ratings after closing (once per party: the first of each counts). */
  ratings: Array<{ party: EvaluatingParty; score: number }>;
}

function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

function satisfaction(ratings: ReadonlyArray<{ score: number }>): Satisfaction {
  const satisfied = ratings.filter((r) => r.score >= 4).length;
  return {
    ratings: ratings.length,
    mean: ratings.length ? ratings.reduce((a, r) => a + r.score, 0) / ratings.length : null,
    satisfied,
    rate: ratings.length ? satisfied / ratings.length : null,
  };
}

function figures(tracks: Track[], config: AlertsConfig, now: number): Figures {
  const accept = tracks.filter((t) => t.acceptedAt !== undefined).map((t) => (t.acceptedAt! - t.raisedAt) / 1000).sort((a, b) => a - b);
  const resolve = tracks.filter((t) => t.resolvedAt !== undefined).map((t) => (t.resolvedAt! - t.raisedAt) / 1000).sort((a, b) => a - b);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  let counted = 0;
  let missed = 0;
  let openOverdue = 0;
  for (const t of tracks) {
    const sla = config.sla[t.severity];
    if (!sla) continue;
    const acceptBy = t.raisedAt + sla.acceptMin * 60_000;
    const resolveBy = t.raisedAt + sla.resolveMin * 60_000;
    // A deadline is missed once it has passed without its step, done late or not done yet.
    const acceptMissed = (t.acceptedAt ?? now) > acceptBy;
    const resolveMissed = (t.resolvedAt ?? now) > resolveBy;
    const kept = t.acceptedAt !== undefined && t.resolvedAt !== undefined && !acceptMissed && !resolveMissed;
    if (acceptMissed || resolveMissed) missed += 1;
    if (kept || acceptMissed || resolveMissed) counted += 1;
    const late = t.acceptedAt === undefined ? now > acceptBy : t.resolvedAt === undefined && now > resolveBy;
    if (!t.closed && late) openOverdue += 1;
  }
  // Rescues: on site in time, late, or not on site once the deadline passed while it was open.
  const rescues = tracks.filter((t) => t.arrivalDueAt !== undefined && t.dispatchedAt !== undefined);
  const arrive = rescues.filter((t) => t.arrivedAt !== undefined).map((t) => (t.arrivedAt! - t.dispatchedAt!) / 1000).sort((a, b) => a - b);
  let arrivedInTime = 0;
  let arrivalMissed = 0;
  for (const t of rescues) {
    if (t.arrivedAt !== undefined && t.arrivedAt <= t.arrivalDueAt!) arrivedInTime += 1;
    else if ((t.arrivedAt ?? t.resolvedAt ?? now) > t.arrivalDueAt!) arrivalMissed += 1;
  }
  const arrivalCounted = arrivedInTime + arrivalMissed;
  return {
    alerts: tracks.length,
    accepted: accept.length,
    resolved: resolve.length,
    closed: tracks.filter((t) => t.closed).length,
    escalated: tracks.filter((t) => t.escalated).length,
    timeToAccept: { mean: mean(accept), p90: percentile(accept, 0.9) },
    timeToResolve: { mean: mean(resolve), p90: percentile(resolve, 0.9) },
    slaCounted: counted,
    slaMissed: missed,
    slaKept: counted ? (counted - missed) / counted : null,
    openOverdue,
    rescues: rescues.length,
    arrived: arrive.length,
    timeToArrive: { mean: mean(arrive), p90: percentile(arrive, 0.9) },
    arrivalCounted,
    arrivedInTime,
    arrivalRate: arrivalCounted ? arrivedInTime / arrivalCounted : null,
    handedOver: tracks.filter((t) => t.parties.length).length,
    satisfaction: {
      ...satisfaction(tracks.flatMap((t) => t.ratings)),
      byParty: Object.fromEntries(EVALUATING_PARTIES.map((p) => [p, satisfaction(tracks.flatMap((t) => t.ratings.filter((r) => r.party === p)))])) as Record<EvaluatingParty, Satisfaction>,
    },
  };
}

function groupBy(tracks: Track[], key: (t: Track) => string | undefined): Map<string, Track[]> {
  const groups = new Map<string, Track[]>();
  for (const t of tracks) {
    const k = key(t);
    if (k === undefined) continue;
    const list = groups.get(k) ?? [];
    list.push(t);
    groups.set(k, list);
  }
  return groups;
}

const CHINA_OFFSET_MS = 8 * 3_600_000;

export function closedLoopReport(
  events: StoredAlertEvent[],
  config: AlertsConfig,
  range: { from: number; to: number; compound?: string },
  now: number,
  context: FiguresContext = {},
): ClosedLoopReport {
  const tracks = new Map<string, Track>();
  for (const e of [...events].sort((a, b) => a.at - b.at)) {
    if (e.kind === 'raised') {
      if (e.at < range.from || e.at > range.to || (range.compound && e.compound !== range.compound)) continue;
      tracks.set(e.alertId, { compound: e.compound, rule: e.ruleId, severity: e.severity, raisedAt: e.at, closed: false, escalated: false, parties: [], ratings: [] });
      continue;
    }
    const t = tracks.get(e.alertId);
    if (!t) continue;
    if ((e.kind === 'dispatched' || e.kind === 'reassigned' || e.kind === 'accepted') && t.dispatchedAt === undefined) {
      t.dispatchedAt = e.at;
      const minutes = context.arrivalMinutes?.(t.rule, t.compound);
      if (minutes !== undefined) t.arrivalDueAt = e.at + minutes * 60_000;
    }
    if (e.kind === 'accepted' && t.acceptedAt === undefined) {
      t.acceptedAt = e.at;
      t.worker = e.actor;
    } else if (e.kind === 'resolved') {
      t.resolvedAt ??= e.at;
    } else if (e.kind === 'reopened') {
      t.resolvedAt = undefined;
    } else if (e.kind === 'closed') {
      t.closed = true;
    } else if (e.kind === 'escalated') {
      t.escalated = true;
    } else if (e.kind === 'arrived') {
      t.arrivedAt ??= e.at;
    } else if (e.kind === 'handed_over' && e.party) {
      t.parties.push(e.party);
    } else if (e.kind === 'evaluated' && (EVALUATING_PARTIES as readonly string[]).includes(e.party ?? '') && typeof e.score === 'number') {
      const party = e.party as EvaluatingParty;
      if (!t.ratings.some((r) => r.party === party)) t.ratings.push({ party, score: e.score });
    }
  }
  const all = [...tracks.values()];
  const section = (groups: Map<string, Track[]>) =>
    Object.fromEntries([...groups].sort(([a], [b]) => a.localeCompare(b)).map(([k, list]) => [k, figures(list, config, now)]));
  const perDay: Record<string, number> = {};
  for (const t of all) {
    const day = new Date(t.raisedAt + CHINA_OFFSET_MS).toISOString().slice(0, 10);
    perDay[day] = (perDay[day] ?? 0) + 1;
  }
  return {
    from: range.from,
    to: range.to,
    overall: figures(all, config, now),
    byCompound: section(groupBy(all, (t) => t.compound)),
    byWorker: section(groupBy(all, (t) => t.worker)),
    byStreet: section(groupBy(all, (t) => context.streetOf?.(t.compound))),
    byRule: section(groupBy(all, (t) => t.rule)),
    byParty: section(groupBy(all, (t) => t.parties.at(-1))),
    perDay,
  };
}
