/**
 * Grid worker's phone view: open alerts in filter tabs with counts (我的 / 本网格 / 升级给我,
 * worker-tabs.ts) and what I resolved today (今日已处置, worker-done.ts), critical and newest
 * first, pushed live; each card calls the compound's property desk and navigates there
 * (worker-links.ts), and resolving takes a photo (worker-photo.ts). Keyboard focus stays on its
 * element across live updates (worker-focus.ts). A new
 * alert appears at the top, highlighted, with vibration and a short tone where allowed; while
 * the app is in the background, an alert handed to me (new, escalated, reassigned, a reminder,
 * a call) shows as a system notification instead (notify-events.ts, system-notify.ts).
 * The list is kept in the browser (worker-copy.ts): when the hub cannot be reached the view
 * shows what it last knew, marked 离线 · 最后更新 14:30, and catches up when the socket is back.
 */
import type { Alert, CompoundSummary, DeviceView } from '../../../../src/contracts/live-events.ts';
import { h, fill } from '../dom.ts';
import { t } from '../i18n.ts';
import { api } from '../api.client.ts';
import { LiveState, deviceKey } from '../live-state.ts';
import { deviceLabel } from '../device-format.ts';
import { follow } from '../live.client.ts';
import { mayDo } from '../../../../src/contracts/access.ts';
import { alertCard } from '../alert-card.ts';
import { tickCountdowns } from '../countdowns.ts';
import { alertList } from '../alert-list.ts';
import { loadPeople } from '../people.ts';
import { silenceList } from '../silences.ts';
import { errorText } from '../error-text.ts';
import type { AppContext, View } from '../app.types.ts';
import { keepWorkerCopy, workerCopy } from '../worker-copy.ts';
import { offlineMark } from '../offline-mark.ts';
import { announce, beep } from '../alert-sound.ts';
import { AlertNewsWatch, type AlertNews } from '../notify-events.ts';
import { notificationsAllowed, showAlertNotification } from '../system-notify.ts';
import { notifyControl } from '../notify-control.ts';
import { appRegistration } from '../sw-register.ts';
import { whenAlertOpened } from '../open-alert.ts';
import { alertWhere } from '../alert-where.ts';
import { holds } from '../../../../src/contracts/alert-holders.ts';
import { inTab, tabOf, workerTabs, type AlertTab, type WorkerTab } from '../worker-tabs.ts';
import { doneToday } from '../worker-done.ts';
import { compoundLinks, type CompoundPlace } from '../worker-links.ts';
import { openResolveForm } from '../worker-photo.ts';
import { keepingFocus } from '../worker-focus.ts';
import '../worker.css';

/** `focusId`: the alert to show first (a notification's click, `#/worker/{id}`). */
export function workerView(root: HTMLElement, app: AppContext, focusId?: string): View {
  const me = app.me;
  // The compounds of my grids (a worker's scope): the 本网格 tab follows their open alerts.
  const gridCompounds = Array.isArray(me.compounds) ? [...me.compounds] : [];
  const grid = new Set(gridCompounds);
  // Held (assigned to me, rung for by its call tree, told by an escalation), or open in my grids.
  const state = new LiveState((a) => a.workflow !== 'closed' && (holds(a, me.id) || grid.has(a.compound)));
  const devices = new Map<string, DeviceView>();
  const compounds = new Map<string, CompoundPlace>();
  // What this person's view knew last time, until the hub answers.
  const copy = workerCopy(me.id);
  if (copy) {
    state.replace({ at: copy.at, compounds: [], devices: [], alerts: copy.alerts });
    for (const device of copy.devices) devices.set(deviceKey(device), device);
    for (const compound of copy.compounds) compounds.set(compound.id, compound);
  }
  let knownAt = copy?.at;
  /** The alert a notification opened: its card stays marked. */
  let focused: string | undefined;
  let online = false;
  const mark = offlineMark();
  const list = h('div', { class: 'cards phone' });
  const tabs = workerTabs((tab) => showTab(tab));
  fill(root, h('div', { class: 'view-head' }, h('h1', {}, t('alerts.mine')), notifyControl()), mark.el, tabs.el, tabs.panel);
  const people = loadPeople(me, () => redraw());
  // Only an admin here may silence: the silences made here mark their cards.
  const silences = silenceList(undefined, () => redraw(), (error) => app.report(errorText(error)), false);
  const done = doneToday({ me, people, device: (key) => devices.get(key), compoundName: (id) => compounds.get(id)?.name, changed: () => counts(), version: () => `${people.version}|${devices.size}|${compounds.size}` });
  const knownName = (key: string) => {
    const d = devices.get(key);
    return d && deviceLabel(d.type, d.device, d);
  };
  const card = (alert: Alert, forms: HTMLElement) => {
    const compound = state.compounds.get(alert.compound) ?? compounds.get(alert.compound);
    const el = alertCard(alert, { me, device: devices.get(alert.deviceKey), compoundName: compound?.name, deviceName: knownName, mineOnly: true, people, silences: mayDo(me.role, 'silence') ? silences : undefined, report: app.report, resolveForm: (a, f) => openResolveForm(f, a, app.report) }, forms);
    const links = compoundLinks(compound);
    if (links) el.insertBefore(links, forms);
    if (state.fresh.has(alert.id)) el.classList.add('fresh');
    // Stays marked across rebuilds of the card.
    if (alert.id === focused) el.classList.add('focused');
    return el;
  };
  const lists = new Map<AlertTab, (alerts: Iterable<Alert>) => void>();
  const listOf = (tab: AlertTab) => {
    let show = lists.get(tab);
    if (!show) lists.set(tab, (show = alertList(list, t(`phone.empty.${tab}`), card, () => `${people.version}|${silences.version}|${devices.size}|${compounds.size}|${state.compounds.size}`)));
    return show;
  };
  const inThe = (tab: AlertTab) => [...state.alerts.values()].filter((a) => inTab(tab, a, me, grid));
  const counts = () => tabs.counts({ mine: inThe('mine').length, grid: inThe('grid').length, escalated: inThe('escalated').length, done: done.count() });
  /** The selected tab's list (its cards are built fresh when the tab is chosen again). */
  const showList = () => {
    const tab = tabs.selected();
    if (tab === 'done') return;
    listOf(tab)(inThe(tab));
  };
  const showTab = (tab: WorkerTab) => {
    // One list of cards in the panel at a time: the tab's cards replace the other's.
    lists.clear();
    list.replaceChildren();
    fill(tabs.panel, tab === 'done' ? done.el : list);
    if (tab === 'done') void done.refresh();
    else showList();
  };
  /** Everything the view shows, drawn again without losing the keyboard focus. */
  const redraw = () =>
    keepingFocus(root, () => {
      showList();
      done.draw();
      counts();
    }, () => tabs.el.querySelector<HTMLElement>('[aria-selected="true"]') ?? undefined);
  fill(tabs.panel, list);

  /** Keeps the list as known now, for when the hub cannot be reached (only what the cards show). */
  const keep = () => {
    knownAt = Date.now();
    // Only what is mine is kept on the phone, not the rest of the grid.
    const alerts = [...state.alerts.values()].filter((a) => holds(a, me.id));
    const keys = new Set(alerts.flatMap((a) => [a.deviceKey, ...(a.incident?.members.map((m) => m.deviceKey) ?? [])]));
    const named = new Set(alerts.map((a) => a.compound));
    keepWorkerCopy({
      me,
      at: knownAt,
      alerts,
      devices: [...keys].flatMap((key) => devices.get(key) ?? []),
      compounds: [...named].flatMap((id) => compounds.get(id) ?? []),
    });
  };

  // What was kept counts as told already; without a copy, the first snapshot does.
  const watch = new AlertNewsWatch(me.id);
  if (copy) watch.news(state.alerts.values());
  /** Alerts handed to me: on screen a tone and a buzz; in the background a system notification each, and the tone. */
  const tell = (news: AlertNews[]) => {
    if (!news.length) return;
    if (document.visibilityState === 'visible') return announce();
    beep();
    if (!notificationsAllowed()) return;
    void appRegistration()
      .then((registration) => registration && Promise.all(news.map((n) => showAlertNotification(registration, n, alertWhere(n.alert, devices.get(n.alert.deviceKey), compounds.get(n.alert.compound)?.name)))))
      .catch(() => undefined);
  };

  /** Brings the alert a notification named to the front, once its card is there. */
  const showFocused = (full: boolean) => {
    if (!focusId) return;
    const wanted = state.alerts.get(focusId);
    // The tab that has it (a rung alert is under 升级给我).
    if (wanted && tabs.selected() !== tabOf(wanted, me, grid) && !inTab(tabs.selected() as AlertTab, wanted, me, grid)) tabs.select(tabOf(wanted, me, grid));
    const el = list.querySelector<HTMLElement>(`[data-alert-id="${CSS.escape(focusId)}"]`);
    // Gone (closed meanwhile): the first full list says so.
    if (!el) return void (full && (focusId = undefined));
    list.querySelector('.card.focused')?.classList.remove('focused');
    focused = focusId;
    focusId = undefined;
    el.classList.add('focused');
    el.tabIndex = -1;
    el.scrollIntoView({ block: 'center' });
    el.focus({ preventScroll: true });
    if (location.hash.startsWith('#/worker/')) history.replaceState(null, '', '#/worker');
  };
  const stopOpening = whenAlertOpened((id) => {
    focusId = id;
    showFocused(true);
  });

  const render = (full: boolean) => {
    redraw();
    done.watch(state.alerts.values());
    showFocused(full);
    tell(watch.news(state.alerts.values()));
  };
  if (copy) render(false);

  // Names and places of the devices in my grids, for the cards; fetched again once the hub is back when they could not be.
  let namesLoaded = false;
  const loadNames = () =>
    Promise.all([api<{ devices: DeviceView[] }>('GET', '/api/devices'), api<{ compounds: CompoundSummary[] }>('GET', '/api/compounds')])
      .then(([d, c]) => {
        namesLoaded = true;
        for (const device of d.devices) devices.set(deviceKey(device), device);
        for (const compound of c.compounds) compounds.set(compound.id, compound);
        // The cards are rebuilt with names and places (their version includes what is known).
        redraw();
        if (online) keep();
      })
      // Offline, the mark says so already.
      .catch((error: unknown) => online && app.report(errorText(error)));
  void loadNames();

  const connection = (up: boolean) => {
    app.connection(up);
    // The list was current until the connection was lost.
    if (online && !up) keep();
    online = up;
    if (up) {
      mark.hide();
      void done.refresh();
      if (!namesLoaded) void loadNames();
    } else mark.show(knownAt);
  };
  // Mine wherever they are, and the open alerts of my grids' compounds (summaries, not devices).
  const live = follow(gridCompounds.length ? { mine: true, compounds: gridCompounds, detail: 'summary' } : { mine: true }, state, { ...app, connection }, {
    changed: (full) => {
      render(full);
      keep();
    },
  });
  const ticker = setInterval(() => tickCountdowns(state.alerts), 1000);
  return {
    dispose() {
      clearInterval(ticker);
      done.dispose();
      silences.dispose();
      stopOpening();
      live.close();
    },
  };
}
