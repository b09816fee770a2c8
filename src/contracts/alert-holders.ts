/**
 * Who holds an alert (design.md §7 call trees): its assignee, and while nobody has accepted it,
 * the people its call tree rang, any of whom may accept it. Shared by the API's checks, the live
 * socket's worker rooms and the worker's phone view.
 */
import type { Alert } from '../alerts/alert.types.ts';

export function holdersOf(alert: Pick<Alert, 'assignee' | 'called' | 'workflow'>): string[] {
  const rung = alert.workflow === 'new' || alert.workflow === 'dispatched' ? (alert.called ?? []) : [];
  return [...new Set([...(alert.assignee ? [alert.assignee] : []), ...rung])];
}

export const holds = (alert: Pick<Alert, 'assignee' | 'called' | 'workflow'>, person: string): boolean => holdersOf(alert).includes(person);
