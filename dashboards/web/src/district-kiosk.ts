/**
 * Wall (kiosk) mode of the district view: full screen where the browser allows it, large type,
 * the district's counts at the top and, one after another every few seconds, each compound
 * with an open critical alert or incident: its open alerts by severity and name, overdue,
 * devices online. Esc (or the exit button, or leaving full screen) ends it.
 */
import type { Alert, CompoundSummary } from '../../../src/contracts/live-events.ts';
import { h, fill } from './dom.ts';
import { clock, t, tOf } from './i18n.ts';
import { alertName } from './rule-names.ts';
import { overdueWhere } from './overdue-list.ts';
import type { DeviceNames } from './device-names.ts';
import { SEVERITIES, stateCounts, sortRows, type CompoundRow } from './district-rows.ts';
import { markIcon, stateText } from './district-marks.ts';

export const KIOSK_EVERY_SEC = 10;
const SEVERITY_RANK: Record<Alert['severity'], number> = { critical: 0, major: 1, minor: 2, info: 3 };

export interface KioskContext {
  compounds: Map<string, CompoundSummary>;
  devices: DeviceNames;
}

export interface Kiosk {
  /** The wall's own element, hidden until it is entered: the view puts it in its page. */
  readonly el: HTMLElement;
  readonly active: boolean;
  enter(): void;
  leave(): void;
  update(rows: readonly CompoundRow[], alerts: Iterable<Alert>, ctx: KioskContext): void;
  dispose(): void;
}

/** Compounds to show in turn: an open critical alert or an open incident, worst first. */
export function rotation(rows: readonly CompoundRow[], alerts: Iterable<Alert>): CompoundRow[] {
  const withIncident = new Set<string>();
  for (const a of alerts) if (a.workflow !== 'closed' && a.incident) withIncident.add(a.compound);
  return sortRows(rows.filter((r) => r.open.critical > 0 || withIncident.has(r.id)), { key: 'state', dir: 'asc' });
}

/** `left`: called when the mode ends (the view drops ?kiosk from its address). */
export function districtKiosk(left: () => void, everySec = KIOSK_EVERY_SEC): Kiosk {
  let active = false;
  let index = 0;
  let shownAt = 0;
  let last: { rows: readonly CompoundRow[]; alerts: Alert[]; ctx: KioskContext } | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;
  const summary = h('p', { class: 'kiosk-summary', 'data-testid': 'kiosk-summary' });
  const time = h('span', { class: 'kiosk-clock' });
  const stage = h('div', { class: 'kiosk-stage', 'data-testid': 'kiosk-stage', 'aria-live': 'polite' });
  const next = h('p', { class: 'kiosk-next', 'data-testid': 'kiosk-next' });
  const exit = h('button', { type: 'button', class: 'kiosk-exit secondary', 'data-testid': 'kiosk-exit', onclick: () => kiosk.leave() }, t('dist.kiosk.exit'));
  const el = h('div', { class: 'kiosk', 'data-testid': 'kiosk', role: 'region', 'aria-label': t('dist.kiosk.title'), hidden: true },
    h('header', { class: 'kiosk-head' }, h('h1', {}, t('dist.kiosk.title')), time, exit),
    summary,
    stage,
    next,
  );

  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && active) kiosk.leave();
  };
  // The browser's own Esc leaves full screen without a key event: leave with it.
  const onFullscreen = () => {
    if (active && !document.fullscreenElement) kiosk.leave();
  };

  function draw(now = Date.now()): void {
    if (!active || !last) return;
    const { rows, alerts, ctx } = last;
    time.textContent = clock(now);
    const counts = stateCounts(rows);
    summary.textContent = t('dist.kiosk.summary', { critical: counts.critical, major: counts.major, offline: counts.offline, total: rows.length });
    const turn = rotation(rows, alerts);
    if (now - shownAt >= everySec * 1000) {
      index += shownAt ? 1 : 0;
      shownAt = now;
    }
    if (!turn.length) {
      fill(stage, h('p', { class: 'kiosk-calm', 'data-testid': 'kiosk-calm' }, t('dist.kiosk.calm')));
      next.textContent = '';
      stage.dataset.compound = '';
      return;
    }
    index %= turn.length;
    const r = turn[index]!;
    const open = alerts
      .filter((a) => a.compound === r.id && a.workflow !== 'closed')
      .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.raisedAt - a.raisedAt);
    const incidents = open.filter((a) => a.incident).length;
    const sig = `${open.map((a) => `${a.id}:${a.severity}`).join(',')}|${r.overdue}|${r.online}|${incidents}|${ctx.devices.version}`;
    if (stage.dataset.compound !== r.id || stage.dataset.sig !== sig) {
      stage.dataset.compound = r.id;
      stage.dataset.sig = sig;
      fill(stage,
        h('div', { class: 'kiosk-compound', 'data-testid': 'kiosk-compound', 'data-compound': r.id, 'data-state': r.state },
          h('h2', {}, markIcon(r.state, 40), h('span', {}, r.name), h('span', { class: 'kiosk-street' }, `${r.street.name} · ${r.community.name}`)),
          h('p', { class: 'kiosk-state' }, stateText(r.state)),
          h('div', { class: 'kiosk-counts' },
            ...SEVERITIES.filter((s) => r.open[s]).map((s) => h('span', { class: `badge sev-${s}` }, `${tOf('sev', s)} ${r.open[s]}`)),
            r.overdue ? h('span', { class: 'badge overdue' }, t('dist.kiosk.overdue', { n: r.overdue })) : null,
            incidents ? h('span', { class: 'badge' }, t('dist.kiosk.incidents', { n: incidents })) : null,
            h('span', { class: 'kiosk-online' }, t('dist.kiosk.online', { online: r.online, count: r.deviceCount })),
          ),
          h('h3', {}, t('dist.kiosk.alerts')),
          h('ul', { class: 'kiosk-alerts' },
            ...open.slice(0, 6).map((a) =>
              h('li', { 'data-testid': 'kiosk-alert', 'data-alert-id': a.id },
                h('span', { class: `badge sev-${a.severity}` }, tOf('sev', a.severity)),
                h('strong', {}, alertName(a)),
                h('span', { class: 'muted' }, `${overdueWhere(a, ctx)} · ${clock(a.raisedAt)}`),
              ),
            ),
          ),
        ),
      );
    }
    next.textContent = turn.length > 1 ? t('dist.kiosk.next', { s: Math.max(0, Math.ceil((shownAt + everySec * 1000 - now) / 1000)), i: index + 1, n: turn.length }) : '';
  }

  const kiosk: Kiosk = {
    el,
    get active() {
      return active;
    },
    enter() {
      if (active) return;
      active = true;
      index = 0;
      shownAt = 0;
      el.hidden = false;
      document.body.classList.add('kiosk-on');
      document.addEventListener('keydown', onKey);
      document.addEventListener('fullscreenchange', onFullscreen);
      // Allowed only after a user's gesture and where full screen is permitted; without it, the page still fills the window.
      if (document.fullscreenEnabled && !document.fullscreenElement) void el.requestFullscreen?.().catch(() => undefined);
      ticker = setInterval(() => draw(), 1000);
      draw();
      exit.focus();
    },
    leave() {
      if (!active) return;
      active = false;
      el.hidden = true;
      document.body.classList.remove('kiosk-on');
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('fullscreenchange', onFullscreen);
      clearInterval(ticker);
      if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
      left();
    },
    update(rows, alerts, ctx) {
      last = { rows, alerts: [...alerts], ctx };
      draw();
    },
    dispose() {
      if (active) {
        active = false;
        document.body.classList.remove('kiosk-on');
        document.removeEventListener('keydown', onKey);
        document.removeEventListener('fullscreenchange', onFullscreen);
        clearInterval(ticker);
        if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
      }
      el.remove();
    },
  };
  return kiosk;
}
