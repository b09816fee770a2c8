/**
 * Which alert events a webhook is told of. By default every step but repeats and the incident's
 * membership changes (`member_joined`, `member_left`: one power cut must not post once per
 * device; the next step carries the member count), so reminders and call-tree calls, which exist
 * to reach a person, are posted. A webhook's `events` list replaces the default; `severities`
 * narrows it. While an alert is flapping its condition toggles are not posted (the `flapping`
 * event was, once; `stable` says it is quiet again), whatever the list says.
 */
import type { Alert, AlertEvent, AlertEventKind } from '../alerts/alert.types.ts';
import type { WebhookConfig } from '../alerts/sla.config.ts';

export const NOT_POSTED_BY_DEFAULT: ReadonlySet<AlertEventKind> = new Set(['repeated', 'member_joined', 'member_left']);
const TOGGLES: ReadonlySet<AlertEventKind> = new Set(['condition_active', 'condition_cleared']);

export function isPosted(hook: Pick<WebhookConfig, 'events' | 'severities'>, event: AlertEvent, alert: Alert): boolean {
  if (event.kind === 'repeated') return false;
  if (alert.flapping && TOGGLES.has(event.kind)) return false;
  if (hook.events ? !hook.events.includes(event.kind) : NOT_POSTED_BY_DEFAULT.has(event.kind)) return false;
  return !hook.severities || hook.severities.includes(alert.severity);
}
