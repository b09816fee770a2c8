/**
 * A list of alert cards kept in place: most urgent first, a card rebuilt only when its alert
 * (or what the view shows with it: names, silences) changed; a form open on a card survives
 * the rebuild, so a note being typed is never lost to a live update.
 */
import type { Alert } from '../../../src/contracts/live-events.ts';
import { h, fill } from './dom.ts';
import { cardVersion } from './alert-card.ts';

const SEVERITY_ORDER = { critical: 0, major: 1, minor: 2, info: 3 } as const;
export const byUrgency = (a: Alert, b: Alert) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.raisedAt - a.raisedAt;

/** `context`: a version of what else the cards show (people's names, silences, devices). */
export function alertList(container: HTMLElement, emptyText: string, makeCard: (alert: Alert, forms: HTMLElement) => HTMLElement, context: () => string = () => ''): (alerts: Iterable<Alert>) => void {
  const cards = new Map<string, { version: string; el: HTMLElement; forms: HTMLElement; workflow: Alert['workflow'] }>();
  return (source) => {
    const alerts = [...source].sort(byUrgency);
    const shown = new Set(alerts.map((a) => a.id));
    for (const [id, card] of cards) if (!shown.has(id)) (card.el.remove(), cards.delete(id));
    if (!alerts.length) return fill(container, h('p', { class: 'muted empty', 'data-testid': 'alerts-empty' }, emptyText));
    container.querySelector('[data-testid="alerts-empty"]')?.remove();
    const extra = context();
    alerts.forEach((alert, i) => {
      const version = `${cardVersion(alert)}#${extra}`;
      let card = cards.get(alert.id);
      if (!card || card.version !== version) {
        // One form area per alert, handed to each rebuild of its card: what is open in it stays.
        const forms = card?.forms ?? h('div', { class: 'card-form' });
        // A step taken elsewhere ends the forms of the step before.
        if (card && card.workflow !== alert.workflow) fill(forms);
        const focused = forms.contains(document.activeElement) ? (document.activeElement as HTMLElement) : undefined;
        const el = makeCard(alert, forms);
        if (card) card.el.replaceWith(el);
        focused?.focus();
        card = { version, el, forms, workflow: alert.workflow };
        cards.set(alert.id, card);
      }
      if (container.children[i] !== card.el) container.insertBefore(card.el, container.children[i] ?? null);
    });
  };
}
