/**
 * The worker's last known list, kept in the browser (localStorage) for when the hub cannot be
 * reached: only the logged-in person's own open alerts, the names of their devices and
 * compounds, and when the list was last known current. One copy, for one login; the shell drops
 * it when the login ends (logout, expiry), so the next person on a shared phone sees none of it.
 */
import type { Alert, CompoundSummary, DeviceView, Me } from '../../../src/contracts/live-events.ts';

const KEY = 'compound-hub.worker-copy';
const VERSION = 1;

export interface WorkerCopy {
  me: Me;
  /** When the list was last known current: its last snapshot or batch, or the moment the connection was lost. */
  at: number;
  alerts: Alert[];
  /** The devices and compounds the alerts name (for the cards' names and places). */
  devices: DeviceView[];
  compounds: Array<Pick<CompoundSummary, 'id' | 'name'>>;
}

export function keepWorkerCopy(copy: WorkerCopy): void {
  try {
    localStorage.setItem(KEY, JSON.stringify({ v: VERSION, ...copy }));
  } catch {
    // Storage full or refused: the app runs on, only without its offline list.
  }
}

/** The kept copy (of `userId` when given); none when it is missing, of someone else, or of an older app. */
export function workerCopy(userId?: string): WorkerCopy | undefined {
  let stored: Partial<WorkerCopy> & { v?: unknown };
  try {
    stored = JSON.parse(localStorage.getItem(KEY) ?? 'null') ?? {};
  } catch {
    return undefined;
  }
  if (stored.v !== VERSION || typeof stored.at !== 'number' || typeof stored.me?.id !== 'string') return undefined;
  if (!Array.isArray(stored.alerts) || !Array.isArray(stored.devices) || !Array.isArray(stored.compounds)) return undefined;
  if (userId !== undefined && stored.me.id !== userId) return undefined;
  return { me: stored.me, at: stored.at, alerts: stored.alerts, devices: stored.devices, compounds: stored.compounds };
}

export function dropWorkerCopy(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // Nothing could be kept either.
  }
}
