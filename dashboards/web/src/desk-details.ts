/**
 * The alert desk's details panel: the alert's card (alert-card.ts: where, value, clock, who holds
 * it, the steps the user may take) and its full history opened (alert-history.ts: every step, who,
 * when, notes, escalations, reminders, call-tree rings, arrivals), by names.
 */
import type { DeskRow } from '../../../src/contracts/alert-desk.ts';
import type { Me } from '../../../src/contracts/live-events.ts';
import { h } from './dom.ts';
import { t } from './i18n.ts';
import { alertCard } from './alert-card.ts';
import { deviceLabel } from './device-format.ts';
import type { People } from './people.ts';

export interface DetailsContext {
  me: Me;
  people: People;
  report(message: string): void;
  close(): void;
}

/** `forms`: where the card's forms open, kept by the desk across redraws (a note being typed survives live updates). */
export function deskDetails(row: DeskRow, ctx: DetailsContext, forms: HTMLElement): HTMLElement {
  const a = row.alert;
  const deviceName = (key: string) => (key === a.deviceKey && row.deviceName ? deviceLabel(a.type, a.device, { name: row.deviceName }) : undefined);
  const device = { name: row.deviceName, building: row.building, buildingName: row.buildingName };
  const card = alertCard(a, { me: ctx.me, people: ctx.people, report: ctx.report, compoundName: row.compoundName, deviceName, device }, forms);
  // The desk shows the whole history at once.
  const history = card.querySelector<HTMLDetailsElement>('details.alert-history');
  if (history) history.open = true;
  return h('section', { class: 'panel desk-details', 'data-testid': 'desk-details', 'data-alert-id': a.id, 'aria-labelledby': 'desk-details-h', onkeydown: (e: Event) => (e as KeyboardEvent).key === 'Escape' && ctx.close() },
    h('div', { class: 'desk-details-head' },
      h('h2', { id: 'desk-details-h', tabindex: -1 }, t('desk.details')),
      h('button', { type: 'button', 'data-testid': 'desk-details-close', onclick: ctx.close }, t('desk.closeDetails')),
    ),
    card,
  );
}
