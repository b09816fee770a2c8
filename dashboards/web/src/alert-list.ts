/**
 * A list of alert cards kept in place: most urgent first, a card rebuilt only when its alert
 * changed (so a note being typed on another card survives a live update).
 */
import type { Alert } from '../../../src/contracts/live-events.ts';
import { h, fill } from './dom.ts';
import { cardVersion } from './alert-card.ts';

const SEVERITY_ORDER = { critical: 0, major: 1, minor: 2, info: 3 } as const;
export const byUrgency = (a: Alert, b: Alert) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.raisedAt - a.raisedAt;

export function alertList(container: HTMLElement, emptyText: string, makeCard: (alert: Alert) => HTMLElement): (alerts: Iterable<Alert>) => void {
  const cards = new Map<string, { version: string; el: HTMLElement }>();
  return (source) => {
    const alerts = [...source].sort(byUrgency);
    const shown = new Set(alerts.map((a) => a.id));
    for (const [id, card] of cards) if (!shown.has(id)) (card.el.remove(), cards.delete(id));
    if (!alerts.length) return fill(container, h('p', { class: 'muted empty', 'data-testid': 'alerts-empty' }, emptyText));
    container.querySelector('[data-testid="alerts-empty"]')?.remove();
    alerts.forEach((alert, i) => {
      const version = cardVersion(alert);
      let card = cards.get(alert.id);
      if (!card || card.version !== version) {
        const el = makeCard(alert);
        if (card) card.el.replaceWith(el);
        card = { version, el };
        cards.set(alert.id, card);
      }
      if (container.children[i] !== card.el) container.insertBefore(card.el, container.children[i] ?? null);
    });
  };
}
