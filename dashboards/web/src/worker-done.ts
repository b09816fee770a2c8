/**
 * 今日已处置 / Done today: the alerts this worker resolved since local midnight, open or closed
 * since, newest first, from the API (GET /api/alerts?resolvedBy=me&resolvedSince=midnight): the
 * live list holds open alerts only. Fetched again when the live list shows a resolve of mine it
 * did not count yet, or one of them leaving (closed), and when the day changes: a timer for the
 * next local midnight fetches it again on a quiet night too (and is set again for the next one).
 */
import type { Alert, DeviceView, Me } from '../../../src/contracts/live-events.ts';
import { h, fill } from './dom.ts';
import { t, tOf, until } from './i18n.ts';
import { api } from './api.client.ts';
import { alertName } from './rule-names.ts';
import { alertWhere } from './alert-where.ts';
import { alertPhotos } from './alert-photos.ts';
import type { People } from './people.ts';

/** Local midnight of the day of `now`. */
export const midnight = (now = Date.now()): number => new Date(now).setHours(0, 0, 0, 0);

/** Milliseconds from `now` to the next local midnight (a 23- or 25-hour day on a clock change, too). */
export const msUntilMidnight = (now = Date.now()): number => {
  const next = new Date(now);
  next.setHours(24, 0, 0, 0);
  return next.getTime() - now;
};

const myResolve = (alert: Alert, me: string, since: number) => alert.history.findLast((e) => e.kind === 'resolved' && e.actor === me && e.at >= since);

export interface DoneToday {
  el: HTMLElement;
  count(): number;
  /** The live list changed: fetches again when it shows something the list does not know. */
  watch(alerts: Iterable<Alert>): void;
  /** Fetches now (on (re)connect). */
  refresh(): Promise<void>;
  /** Draws again (names known now). */
  draw(): void;
  /** Stops the midnight timer. */
  dispose(): void;
}

export interface DoneContext {
  me: Me;
  people: People;
  device(key: string): DeviceView | undefined;
  compoundName(id: string): string | undefined;
  /** After a fetch: the count changed. */
  changed(): void;
  /** A version of what else the list shows (names known): drawn again only when it or the list changed (the photos are not fetched again for nothing). */
  version(): string;
}

export function doneToday(ctx: DoneContext): DoneToday {
  const el = h('div', { class: 'cards phone done-list', 'data-testid': 'done-list' });
  let alerts: Alert[] = [];
  let since = midnight();
  let known = '';
  let loading: Promise<void> | undefined;
  let drawn: string | undefined;

  const item = (alert: Alert) => {
    const step = myResolve(alert, ctx.me.id, since);
    return h(
      'article',
      { class: `card alert done-item sev-${alert.severity}`, 'data-testid': 'done-item', 'data-alert-id': alert.id, 'data-workflow': alert.workflow },
      h('header', {},
        h('span', { class: `badge sev-${alert.severity}` }, tOf('sev', alert.severity)),
        h('strong', { class: 'alert-name' }, alertName(alert)),
        h('span', { class: `badge wf wf-${alert.workflow}` }, tOf('wf', alert.workflow)),
      ),
      h('div', { class: 'alert-where' }, alertWhere(alert, ctx.device(alert.deviceKey), ctx.compoundName(alert.compound))),
      step ? h('p', { class: 'alert-meta', 'data-testid': 'done-at' }, t('phone.doneAt', { time: until(step.at) })) : null,
      step?.note ? h('p', { class: 'alert-note' }, `“${step.note}”`) : null,
      alertPhotos(alert, ctx.people),
    );
  };
  const draw = () => {
    const version = `${ctx.version()}|${alerts.map((a) => `${a.id}:${a.workflow}:${a.history.length}`).join(',')}`;
    if (version === drawn) return;
    drawn = version;
    const sorted = [...alerts].sort((a, b) => (myResolve(b, ctx.me.id, since)?.at ?? 0) - (myResolve(a, ctx.me.id, since)?.at ?? 0));
    fill(el, sorted.length ? sorted.map(item) : h('p', { class: 'muted empty', 'data-testid': 'done-empty' }, t('phone.empty.done')));
  };
  const refresh = (): Promise<void> =>
    (loading ??= api<{ alerts: Alert[] }>('GET', `/api/alerts?resolvedBy=${encodeURIComponent(ctx.me.id)}&resolvedSince=${(since = midnight())}`)
      .then((answer) => {
        alerts = answer.alerts;
        draw();
        ctx.changed();
      })
      .catch(() => undefined)
      .finally(() => (loading = undefined)));

  // A new day empties the list even when nothing happens: fetched again at local midnight.
  let dayTimer: ReturnType<typeof setTimeout> | undefined;
  const armDayTimer = () => {
    dayTimer = setTimeout(() => {
      // A timer may fire a little early, or late after sleep: fetch once the day has changed.
      if (midnight() !== since) void refresh();
      armDayTimer();
    }, msUntilMidnight() + 1000);
  };
  armDayTimer();

  return {
    el,
    count: () => alerts.length,
    refresh,
    draw,
    dispose: () => clearTimeout(dayTimer),
    watch(live) {
      // What the live list says I resolved today, and whether those the list knows are still open.
      const mine = [...live].filter((a) => myResolve(a, ctx.me.id, midnight())).map((a) => a.id).sort();
      const listed = new Set(alerts.map((a) => a.id));
      const open = new Set([...live].map((a) => a.id));
      const signature = `${midnight()}|${mine.join(',')}|${alerts.filter((a) => a.workflow !== 'closed' && !open.has(a.id)).length}`;
      if (signature === known) return;
      known = signature;
      if (mine.some((id) => !listed.has(id)) || midnight() !== since || alerts.some((a) => a.workflow !== 'closed' && !open.has(a.id))) void refresh();
    },
  };
}
