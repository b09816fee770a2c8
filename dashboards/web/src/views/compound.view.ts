/**
 * Property manager's compound view: totals that count what they say, the site plan (registry
 * geometry or an uploaded image, markers by type and state, clusters, edit mode), the picked
 * device's details and history, open alerts with SLA countdowns and actions (a click shows the
 * device on the plan), the silences in effect, and the device list with search and filters
 * (paged through the live window when the compound has more devices than a page).
 */
import { LIVE_PAGE_MAX, type Alert, type DeviceView } from '../../../../src/contracts/live-events.ts';
import type { SitePlanAnswer } from '../../../../src/contracts/site-plan.ts';
import { h, fill } from '../dom.ts';
import { t, tOf } from '../i18n.ts';
import { LiveState, deviceKey } from '../live-state.ts';
import { follow, type Live } from '../live.client.ts';
import { api } from '../api.client.ts';
import { alertCard } from '../alert-card.ts';
import { tickCountdowns } from '../countdowns.ts';
import { alertList } from '../alert-list.ts';
import { deviceLabel, deviceLook } from '../device-format.ts';
import { SitePlanCanvas } from '../site-plan.ts';
import { planLegend } from '../plan-legend.ts';
import { deviceDetails } from '../plan-details.ts';
import { DeviceList } from '../plan-devices.ts';
import { compoundCounts, PARKING_KINDS } from '../plan-counts.ts';
import { planImageControl } from '../plan-image-upload.ts';
import { historyPanel } from '../history-chart.ts';
import { loadPeople } from '../people.ts';
import { silenceList } from '../silences.ts';
import { renderSilences } from '../silences-panel.ts';
import { learnRuleNames, loadRuleNames, ruleNamesVersion } from '../rule-names.ts';
import { errorText } from '../error-text.ts';
import type { AppContext, View } from '../app.types.ts';
import '../site-plan.css';

/** Devices per page of the list when the compound is paged. */
const LIST_PAGE = 200;

function totals(devices: Iterable<DeviceView>, state: LiveState, ruleKinds: ReadonlyMap<string, string>): HTMLElement {
  const c = compoundCounts(devices, (key) => state.alertsOf(key), ruleKinds);
  const tile = (label: string, value: string, note: string, testid: string, alarm = false) =>
    h('div', { class: `tile${alarm ? ' alarm' : ''}`, 'data-testid': 'total', 'data-total': testid },
      h('div', { class: 'tile-value' }, value), h('div', { class: 'tile-label' }, label), h('div', { class: 'tile-note' }, note));
  return h(
    'div',
    { class: 'tiles' },
    tile(t('totals.online'), `${c.online}/${c.devices}`, t('totals.note.online'), 'online'),
    tile(t('totals.offline'), String(c.offline), t('totals.note.offline'), 'offline', c.offline > 0),
    tile(t('totals.elevatorFault'), `${c.elevatorFault}/${c.elevators}`, t('totals.note.elevatorFault'), 'elevator-fault', c.elevatorFault > 0),
    tile(t('totals.elevatorOffline'), String(c.elevatorOffline), t('totals.note.elevatorOffline'), 'elevator-offline', c.elevatorOffline > 0),
    tile(t('totals.elevatorMaint'), String(c.elevatorMaint), t('totals.note.elevatorMaint'), 'elevator-maint'),
    tile(t('totals.manholeAbnormal'), `${c.manholeAbnormal}/${c.manholes}`, t('totals.note.manhole'), 'manhole', c.manholeAbnormal > 0),
    tile(t('totals.laneBlocked'), `${c.laneBlocked}/${c.fireLanes}`, t('totals.note.fireLane'), 'fire-lane', c.laneBlocked > 0),
    h('div', { class: 'tile', 'data-testid': 'total', 'data-total': 'parking' },
      h('div', { class: 'tile-value' }, `${c.parkingFree}/${c.parking}`),
      h('div', { class: 'tile-label' }, t('totals.parkingFree')),
      h('ul', { class: 'tile-kinds', 'data-testid': 'parking-kinds' }, ...PARKING_KINDS.map((k) =>
        h('li', { 'data-kind': k }, t('totals.parkingKind', { kind: tOf('parking', k), free: c.parkingByKind[k].free, all: c.parkingByKind[k].all }))))),
  );
}

export function compoundView(root: HTMLElement, compoundId: string, app: AppContext): View {
  const state = new LiveState();
  let selected: string | undefined;
  let highlighted = new Set<string>();
  let geometry: SitePlanAnswer | undefined;
  const ruleKinds = new Map<string, string>();
  const mayEdit = app.me.role === 'admin' || (app.me.role === 'manager' && (app.me.compounds === 'all' || app.me.compounds.includes(compoundId)));

  const head = h('div', { class: 'view-head' });
  const tilesEl = h('div');
  const detailsEl = h('div', { class: 'details-box' });
  const historyEl = h('div');
  const imageEl = h('div');
  const alertsList = h('div', { class: 'cards' });
  const silencesEl = h('section', { class: 'panel', 'data-testid': 'silences-panel', 'aria-live': 'polite' });

  const canvas = new SitePlanCanvas({
    pick: (key) => pick(key),
    move: mayEdit
      ? async (device, position) => {
          try {
            await api('PATCH', `/api/admin/devices/${device.compound}/${device.type}/${encodeURIComponent(device.device)}`, { position });
          } catch (error) {
            app.report(errorText(error));
            throw error;
          }
        }
      : undefined,
  });
  const list = new DeviceList((key) => pick(key), () => filterChanged(), (offset) => followPage(offset));

  fill(
    root,
    head,
    // The residents' building notices: one QR code per building to print (admins and the compound's managers). Outside
    // the head, which live updates redraw: a focused link keeps its focus.
    mayEdit ? h('p', { class: 'view-tools' }, h('a', { href: `/api/compounds/${encodeURIComponent(compoundId)}/notice-qr`, target: '_blank', rel: 'noopener', 'data-testid': 'notice-qr-link' }, t('notice.qr'))) : null,
    tilesEl,
    h('div', { class: 'columns' },
      h('div', { class: 'col-main' },
        h('section', { class: 'panel plan', 'data-testid': 'plan-panel' }, h('h2', {}, t('plan.title')), canvas.el, planLegend(), imageEl),
        h('section', { class: 'panel', 'data-testid': 'details-panel' }, h('h2', {}, t('details.title')), detailsEl),
        historyEl),
      h('div', { class: 'col-side' }, h('section', { class: 'panel' }, h('h2', {}, t('alerts.open')), alertsList), silencesEl),
    ),
    h('section', { class: 'panel', 'data-testid': 'devices-panel' }, h('h2', {}, t('devices.title')), list.el),
  );

  const loadGeometry = () =>
    api<SitePlanAnswer>('GET', `/api/compounds/${encodeURIComponent(compoundId)}/site-plan`).then(
      (answer) => {
        geometry = answer;
        canvas.setGeometry(answer, answer.image ? `/api/compounds/${encodeURIComponent(compoundId)}/plan-image?v=${answer.image.updatedAt}` : undefined, state.compounds.get(compoundId)?.name ?? compoundId);
        list.setBuildings(buildingNames());
        if (app.me.role === 'admin') fill(imageEl, planImageControl(compoundId, () => geometry?.image, () => void loadGeometry(), app.report));
      },
      (error) => app.report(errorText(error)),
    );
  const buildingNames = () => {
    const names: Record<string, string> = { ...(geometry?.buildings ?? {}) };
    for (const d of state.devices.values()) if (d.building) names[d.building] ??= d.buildingName ?? d.building;
    return names;
  };
  void loadGeometry();
  void api<{ rules: Array<{ id: string; kind: string }> }>('GET', '/api/rules').then(({ rules }) => {
    for (const r of rules) ruleKinds.set(r.id, r.kind);
    render();
  }, () => undefined);

  const devicesOf = (key: string) => {
    const alert = state.alerts.get(key);
    return alert?.incident ? alert.incident.members.filter((m) => m.leftAt === undefined).map((m) => m.deviceKey) : alert ? [alert.deviceKey] : [];
  };
  const pick = (key: string) => {
    selected = key;
    const device = state.devices.get(key) ?? pageState.devices.get(key);
    if (device) fill(historyEl, historyPanel(device));
    render();
  };
  const showOnPlan = (alert: Alert) => {
    const keys = devicesOf(alert.id);
    highlighted = new Set(keys);
    if (keys[0] && state.devices.has(keys[0])) pick(keys[0]);
    else render();
    canvas.reveal(keys);
  };
  const openCard = (alert: Alert) => {
    const card = alertsList.querySelector<HTMLElement>(`[data-alert-id="${CSS.escape(alert.id)}"]`);
    if (!card) return;
    card.tabIndex = -1;
    card.scrollIntoView({ block: 'center' });
    card.focus();
  };

  const people = loadPeople(app.me, () => render());
  loadRuleNames(() => render());
  const silences = silenceList(compoundId, () => render(), (error) => app.report(errorText(error)));
  const compoundName = (id: string) => state.compounds.get(id)?.name ?? id;
  const knownName = (key: string) => {
    const d = state.devices.get(key);
    return d && deviceLabel(d.type, d.device, d);
  };
  const deviceName = (key: string) => {
    const d = state.devices.get(key);
    const [, type, id] = key.split('/');
    return d ? deviceLabel(d.type, d.device, d) : deviceLabel((type ?? '') as DeviceView['type'], id ?? key);
  };
  const renderAlerts = alertList(
    alertsList,
    t('alerts.none'),
    (alert, forms) => {
      const card = alertCard(alert, { me: app.me, device: state.devices.get(alert.deviceKey), compoundName: state.compounds.get(alert.compound)?.name, deviceName: knownName, people, silences, report: app.report }, forms);
      card.append(h('button', { type: 'button', class: 'plan-tool wide show-on-plan', 'data-testid': 'alert-show-on-plan', onclick: () => showOnPlan(alert) }, t('plan.showOnPlan')));
      // A click on the card's text (not on one of its controls) shows the device too.
      card.addEventListener('click', (e) => {
        if (!(e.target as Element).closest('button, a, input, select, textarea, label, summary, details[open] > *:not(summary)')) showOnPlan(alert);
      });
      return card;
    },
    () => `${people.version}|${silences.version}|${state.devices.size}`,
  );

  // Paged device list: a compound with more devices than one page lists them through the live window.
  const pageState = new LiveState();
  let pageLive: Live | undefined;
  let pageTimer: ReturnType<typeof setTimeout> | undefined;
  let paged = false;
  const followPage = (offset = 0) => {
    pageLive?.close();
    const f = list.filter;
    pageLive = follow(
      { compounds: [compoundId], detail: 'devices', devices: { ...(f.q.trim() ? { q: f.q.trim() } : {}), ...(f.type ? { types: [f.type] } : {}), ...(f.building !== undefined ? { buildings: [f.building] } : {}), offset, limit: LIST_PAGE } },
      pageState,
      app,
      { changed: render },
    );
  };
  const filterChanged = () => {
    if (!paged) return render();
    clearTimeout(pageTimer);
    pageTimer = setTimeout(() => followPage(0), 400);
  };

  let pending = false;
  let silencesShown = '';
  const render = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const compound = state.compounds.get(compoundId);
      if (!paged && compound && compound.deviceCount > LIVE_PAGE_MAX) {
        paged = true;
        followPage(0);
      }
      const devices = [...state.devices.values()];
      const lookOf = (d: DeviceView) => deviceLook(d, state.alertsOf(deviceKey(d)));
      fill(head, h('h1', {}, compound?.name ?? compoundId), compound ? h('span', { class: 'muted' }, `${compound.community.name} · ${compound.street.name} · ${compound.district.name}`) : null);
      fill(tilesEl, totals(devices, state, ruleKinds));
      canvas.render({ devices, lookOf, selected, highlighted });
      const device = selected ? state.devices.get(selected) ?? pageState.devices.get(selected) : undefined;
      if (device) {
        const active = detailsEl.contains(document.activeElement) ? document.activeElement : null;
        const focusKey = active && (active.getAttribute('data-alert-id') ? `[data-alert-id="${CSS.escape(active.getAttribute('data-alert-id')!)}"]` : `[data-testid="${active.getAttribute('data-testid') ?? ''}"]`);
        fill(detailsEl, deviceDetails({ device, look: lookOf(device), alerts: state.alertsOf(deviceKey(device)), compoundName: compound?.name, openAlert: openCard, close: () => ((selected = undefined), (highlighted = new Set()), fill(historyEl), render()) }));
        if (focusKey) (detailsEl.querySelector(focusKey) as HTMLElement | null)?.focus();
      } else fill(detailsEl, h('p', { class: 'muted' }, t('history.pick')));
      const listDevices = paged ? [...pageState.devices.values()] : devices;
      list.render({ devices: listDevices, lookOf: (d) => deviceLook(d, state.alertsOf(deviceKey(d))), alerting: (d) => state.alertsOf(deviceKey(d)).length > 0, selected, page: paged ? pageState.page : undefined });
      learnRuleNames(state.alerts.values());
      renderAlerts(state.alerts.values());
      const silencesKey = `${silences.version}|${people.version}|${ruleNamesVersion()}|${state.devices.size}|${state.compounds.size}`;
      if (silencesKey !== silencesShown) {
        silencesShown = silencesKey;
        renderSilences(silencesEl, { me: app.me, people, silences, deviceName, compoundName, report: app.report });
      }
    });
  };

  let buildingsSeen = 0;
  const live = follow({ compounds: [compoundId], detail: 'devices' }, state, app, {
    changed: (full) => {
      if (full || state.devices.size !== buildingsSeen) ((buildingsSeen = state.devices.size), list.setBuildings(buildingNames()));
      render();
    },
    refused: (message) => fill(root, h('p', { class: 'notice', 'data-testid': 'no-access' }, message)),
  });
  const ticker = setInterval(() => tickCountdowns(state.alerts), 1000);
  return {
    dispose() {
      clearInterval(ticker);
      clearTimeout(pageTimer);
      silences.dispose();
      live.close();
      pageLive?.close();
    },
  };
}
