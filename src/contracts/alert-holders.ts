/**
 * Who holds an alert (design.md §7 call trees and escalation), shared by the API's checks, the
 * live socket's worker rooms and the worker's phone view.
 *
 * - holders (`holdersOf`, `holds`): who sees the alert in their worker view and live room, and is
 *   notified of it: its assignee; while nobody has accepted it, the people its call tree rang; and
 *   while it is accepted, the people its escalations told that its step is late (`escalatedTo`).
 * - actors (`actorsOf`, `mayAct`): who may take its next step as a worker: its assignee, and while
 *   nobody has accepted it, the people rung, any of whom may accept it (or check in, which
 *   accepts). The people an escalation told are not among them: they may comment, the assignee acts.
 */
import type { Alert } from '../alerts/alert.types.ts';

type Held = Pick<Alert, 'assignee' | 'called' | 'workflow' | 'escalatedTo'>;

const unaccepted = (alert: Pick<Alert, 'workflow'>) => alert.workflow === 'new' || alert.workflow === 'dispatched';

/** Who may act on the alert as a worker: its assignee, and while nobody has accepted it the people rung (they may accept, or check in, which accepts). */
export function actorsOf(alert: Held): string[] {
  const rung = unaccepted(alert) ? (alert.called ?? []) : [];
  return [...new Set([...(alert.assignee ? [alert.assignee] : []), ...rung])];
}

export const mayAct = (alert: Held, person: string): boolean => actorsOf(alert).includes(person);

/** Who sees the alert and is notified of it: its actors, and while it is accepted the people its escalations told. */
export function holdersOf(alert: Held): string[] {
  const told = alert.workflow === 'accepted' ? (alert.escalatedTo ?? []) : [];
  return [...new Set([...actorsOf(alert), ...told])];
}

export const holds = (alert: Held, person: string): boolean => holdersOf(alert).includes(person);
