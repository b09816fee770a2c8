/**
 * The worker's filter tabs with counts: 我的 (assigned to me), 本网格 (open alerts of my grids'
 * compounds, whoever has them, unassigned too), 升级给我 (escalated to me, or my call tree rang
 * me), 今日已处置 (what I resolved since local midnight). A tablist in the WAI-ARIA pattern:
 * arrow keys, Home and End move between tabs; only the selected tab is in the Tab order.
 */
import type { Alert, Me } from '../../../src/contracts/live-events.ts';
import { holds } from '../../../src/contracts/alert-holders.ts';
import { h } from './dom.ts';
import { t } from './i18n.ts';

export const WORKER_TABS = ['mine', 'grid', 'escalated', 'done'] as const;
export type WorkerTab = (typeof WORKER_TABS)[number];
export type AlertTab = Exclude<WorkerTab, 'done'>;

/** Whether the alert belongs in the tab (an alert may be in several: mine and escalated to me, mine and in my grid). */
export function inTab(tab: AlertTab, alert: Alert, me: Pick<Me, 'id'>, grid: ReadonlySet<string>): boolean {
  if (alert.workflow === 'closed') return false;
  if (tab === 'mine') return alert.assignee === me.id;
  if (tab === 'grid') return grid.has(alert.compound);
  // Told or rung without being its assignee, or handed to me by an escalation.
  return (holds(alert, me.id) && alert.assignee !== me.id) || alert.history.some((e) => e.kind === 'escalated' && e.assignee === me.id && alert.assignee === me.id);
}

/** The tab that shows an alert first (a notification's alert). */
export const tabOf = (alert: Alert, me: Pick<Me, 'id'>, grid: ReadonlySet<string>): AlertTab => (['mine', 'escalated', 'grid'] as const).find((tab) => inTab(tab, alert, me, grid)) ?? 'mine';

export interface WorkerTabs {
  el: HTMLElement;
  /** The panel the selected tab controls. */
  panel: HTMLElement;
  selected(): WorkerTab;
  select(tab: WorkerTab, focus?: boolean): void;
  counts(counts: Record<WorkerTab, number>): void;
}

export function workerTabs(chosen: (tab: WorkerTab) => void): WorkerTabs {
  let current: WorkerTab = 'mine';
  const panel = h('div', { role: 'tabpanel', id: 'worker-panel', class: 'worker-panel', 'data-testid': 'worker-panel', tabindex: -1 });
  const counts = new Map<WorkerTab, HTMLElement>();
  const buttons = WORKER_TABS.map((tab) => {
    const count = h('span', { class: 'tab-count', 'data-testid': 'tab-count', 'aria-hidden': 'true' }, '0');
    counts.set(tab, count);
    return h(
      'button',
      { type: 'button', role: 'tab', id: `worker-tab-${tab}`, class: 'worker-tab', 'data-testid': 'worker-tab', 'data-tab': tab, 'aria-controls': 'worker-panel', onclick: () => select(tab, false) },
      h('span', { class: 'tab-label' }, t(`phone.tab.${tab}`)),
      count,
    );
  });
  const el = h('div', { role: 'tablist', class: 'worker-tabs', 'aria-label': t('phone.tabs'), 'data-testid': 'worker-tabs', onkeydown: (e: Event) => move(e as KeyboardEvent) }, buttons);

  function show() {
    for (const button of buttons) {
      const on = button.dataset.tab === current;
      button.setAttribute('aria-selected', String(on));
      button.tabIndex = on ? 0 : -1;
      if (on) panel.setAttribute('aria-labelledby', button.id);
    }
  }
  function select(tab: WorkerTab, focus = false) {
    const changed = tab !== current;
    current = tab;
    show();
    if (focus) buttons[WORKER_TABS.indexOf(tab)]!.focus();
    if (changed) chosen(tab);
  }
  function move(e: KeyboardEvent) {
    const at = WORKER_TABS.indexOf(current);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: WORKER_TABS.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    select(WORKER_TABS[(to + WORKER_TABS.length) % WORKER_TABS.length]!, true);
  }
  show();
  return {
    el,
    panel,
    selected: () => current,
    select,
    counts(next) {
      for (const [tab, n] of Object.entries(next) as Array<[WorkerTab, number]>) {
        const count = counts.get(tab)!;
        if (count.textContent !== String(n)) count.textContent = String(n);
        const button = buttons[WORKER_TABS.indexOf(tab)]!;
        const label = t('phone.tabAria', { label: t(`phone.tab.${tab}`), n });
        if (button.getAttribute('aria-label') !== label) button.setAttribute('aria-label', label);
      }
    },
  };
}
