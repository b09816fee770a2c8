/**
 * Grid worker's phone view: my open alerts, critical and newest first, pushed live. A new
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

/** `focusId`: the alert to show first (a notification's click, `#/worker/{id}`). */
export function workerView(root: HTMLElement, app: AppContext, focusId?: string): View {
  const me = app.me;
  // Mine: assigned to me, or rung for by its call tree while nobody has accepted it.
  const state = new LiveState((a) => a.workflow !== 'closed' && holds(a, me.id));
  const devices = new Map<string, DeviceView>();
  const compounds = new Map<string, Pick<CompoundSummary, 'id' | 'name'>>();
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
  fill(root, h('div', { class: 'view-head' }, h('h1', {}, t('alerts.mine')), notifyControl()), mark.el, list);
  const people = loadPeople(me, () => showList(state.alerts.values()));
  // Only an admin here may silence: the silences made here mark their cards.
  const silences = silenceList(undefined, () => showList(state.alerts.values()), (error) => app.report(errorText(error)), false);
  const knownName = (key: string) => {
    const d = devices.get(key);
    return d && deviceLabel(d.type, d.device, d);
  };
  const card = (alert: Alert, forms: HTMLElement) => {
    const el = alertCard(alert, { me, device: devices.get(alert.deviceKey), compoundName: compounds.get(alert.compound)?.name, deviceName: knownName, mineOnly: true, people, silences: mayDo(me.role, 'silence') ? silences : undefined, report: app.report }, forms);
    if (state.fresh.has(alert.id)) el.classList.add('fresh');
    // Stays marked across rebuilds of the card.
    if (alert.id === focused) el.classList.add('focused');
    return el;
  };
  const showList = alertList(list, t('alerts.mineNone'), card, () => `${people.version}|${silences.version}|${devices.size}|${compounds.size}`);

  /** Keeps the list as known now, for when the hub cannot be reached (only what the cards show). */
  const keep = () => {
    knownAt = Date.now();
    const alerts = [...state.alerts.values()];
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
    showList(state.alerts.values());
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
        showList(state.alerts.values());
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
      if (!namesLoaded) void loadNames();
    } else mark.show(knownAt);
  };
  const live = follow({ mine: true }, state, { ...app, connection }, {
    changed: (full) => {
      render(full);
      keep();
    },
  });
  const ticker = setInterval(() => tickCountdowns(state.alerts), 1000);
  return {
    dispose() {
      clearInterval(ticker);
      silences.dispose();
      stopOpening();
      live.close();
    },
  };
}
