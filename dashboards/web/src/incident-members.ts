/**
 * An incident's devices on its card (an alert for many devices of one building, zone or
 * compound, see docs/alerts.md "Incidents"): how many are affected now and at most, and which, in
 * a folded list that stays open across rebuilds of the card.
 */
import type { Alert } from '../../../src/contracts/live-events.ts';
import { h } from './dom.ts';
import { t } from './i18n.ts';
import { deviceLabel } from './device-format.ts';

/** Incidents whose list the user has opened (cards are rebuilt on every change). */
const opened = new Set<string>();

export function incidentMembers(alert: Alert): HTMLElement | null {
  const incident = alert.incident;
  if (!incident) return null;
  const active = incident.members.filter((m) => m.leftAt === undefined);
  const list = h('details', { class: 'incident-members', 'data-testid': 'incident-members', open: opened.has(alert.id) },
    h('summary', {}, t('incident.members', { n: active.length, peak: incident.peak })),
    h('ul', {}, ...incident.members.map((m) =>
      h('li', { class: m.leftAt === undefined ? 'member' : 'member left', 'data-testid': 'incident-member', 'data-device-key': m.deviceKey },
        deviceLabel(m.type, m.device, m.name ? { name: m.name } : undefined),
        m.alertId ? ` · ${t('incident.ownAlert')}` : '',
        m.leftAt !== undefined ? ` · ${t('incident.left')}` : '',
      ),
    )),
  );
  list.addEventListener('toggle', () => (list.open ? opened.add(alert.id) : opened.delete(alert.id)));
  return list;
}
