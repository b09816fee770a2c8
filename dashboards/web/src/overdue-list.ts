/**
 * The district's list of overdue and escalated alerts: each with its compound, device and
 * alert, how late (ticking like the cards' clocks), how often escalated and who holds it now.
 */
import type { Alert, CompoundSummary } from '../../../src/contracts/live-events.ts';
import { h, fill } from './dom.ts';
import { t, tOf } from './i18n.ts';
import { lateOrEscalated, showTiming } from './countdowns.ts';
import { alertName } from './rule-names.ts';
import { alertWhere } from './alert-where.ts';
import type { People } from './people.ts';
import type { DeviceNames } from './device-names.ts';

export interface OverdueContext {
  compounds: Map<string, CompoundSummary>;
  people: People;
  devices: DeviceNames;
}

/** Overdue longest first, then the most escalated. */
const byLateness = (a: Alert, b: Alert) => (a.overdue?.since ?? a.dueAt ?? Infinity) - (b.overdue?.since ?? b.dueAt ?? Infinity) || b.escalationLevel - a.escalationLevel;

export const overdueAlerts = (alerts: Iterable<Alert>, now = Date.now()): Alert[] => [...alerts].filter((a) => lateOrEscalated(a, now)).sort(byLateness);

/** 翠苑一区 · 井盖 3号; an incident as its cards say it (its key names no device): 3 台设备 · 翠苑一区. */
export function overdueWhere(a: Alert, ctx: Pick<OverdueContext, 'compounds' | 'devices'>): string {
  const compound = ctx.compounds.get(a.compound)?.name;
  return a.incident ? alertWhere(a, undefined, compound) : `${compound ?? a.compound} · ${ctx.devices.name(a.deviceKey)}`;
}

function row(a: Alert, ctx: OverdueContext): HTMLElement {
  const clock = h('span', { class: 'sla', 'data-sla': a.id, 'data-testid': 'overdue-late' });
  showTiming(clock, a);
  return h('li', { class: `overdue-item sev-${a.severity}`, 'data-testid': 'overdue-item', 'data-alert-id': a.id, 'data-compound': a.compound },
    h('a', { href: `#/compound/${a.compound}` },
      h('span', { class: `badge sev-${a.severity}` }, tOf('sev', a.severity)), ' ',
      h('strong', {}, alertName(a)),
    ),
    h('div', { 'data-testid': 'overdue-where' }, overdueWhere(a, ctx)),
    h('div', { class: 'row' },
      clock,
      // Escalated: "now with 李强" says who holds it; otherwise who it waits for.
      a.escalationLevel > 0 && a.assignee
        ? h('span', { class: 'escalation', 'data-testid': 'overdue-holder' }, t('escalated', { n: a.escalationLevel, who: ctx.people.name(a.assignee) }))
        : a.escalationLevel > 0
          ? h('span', { class: 'escalation', 'data-testid': 'overdue-holder' }, `${t('escalated.nobody', { n: a.escalationLevel })} · ${t('district.nobody')}`)
          : h('span', { 'data-testid': 'overdue-holder' }, a.assignee ? t('district.holder', { who: ctx.people.name(a.assignee) }) : t('district.nobody')),
    ),
  );
}

export function renderOverdue(el: HTMLElement, alerts: Alert[], ctx: OverdueContext): void {
  fill(el,
    h('h2', {}, t('district.overdue')),
    alerts.length
      ? h('ul', { class: 'overdue-list', 'data-testid': 'overdue-list' }, ...alerts.map((a) => row(a, ctx)))
      : h('p', { class: 'muted', 'data-testid': 'overdue-none' }, t('district.overdueNone')),
  );
}
