/**
 * Property manager's compound view: totals, the site plan with live colours, open alerts with
 * SLA countdowns and actions, the silences in effect, devices grouped by building and zone
 * (by their registry names), and a device's history.
 */
import type { DeviceView } from '../../../../src/contracts/live-events.ts';
import { h, fill } from '../dom.ts';
import { t, tOf, ago } from '../i18n.ts';
import { LiveState, deviceKey } from '../live-state.ts';
import { follow } from '../live.client.ts';
import { alertCard } from '../alert-card.ts';
import { tickCountdowns } from '../countdowns.ts';
import { alertList } from '../alert-list.ts';
import { deviceLabel, deviceLook, keyFields, placeParts } from '../device-format.ts';
import { sitePlan } from '../site-plan.ts';
import { historyPanel } from '../history-chart.ts';
import { loadPeople } from '../people.ts';
import { silenceList } from '../silences.ts';
import { renderSilences } from '../silences-panel.ts';
import { learnRuleNames, loadRuleNames, ruleNamesVersion } from '../rule-names.ts';
import { errorText } from '../error-text.ts';
import type { AppContext, View } from '../app.types.ts';

function totals(devices: DeviceView[], state: LiveState): HTMLElement {
  const of = (type: DeviceView['type']) => devices.filter((d) => d.type === type);
  const faulty = (d: DeviceView) => state.alertsOf(deviceKey(d)).length > 0;
  const elevators = of('elevator');
  const parking = of('parking');
  const freeBy = (kind: string) => parking.filter((p) => p.fields.spaceKind === kind && p.fields.occupied !== true).length;
  const tile = (label: string, value: string, testid: string, alarm = false) =>
    h('div', { class: `tile${alarm ? ' alarm' : ''}`, 'data-testid': 'total', 'data-total': testid }, h('div', { class: 'tile-value' }, value), h('div', { class: 'tile-label' }, label));
  const blocked = of('fire_lane').filter((d) => d.fields.occupied === true).length;
  const manholes = of('manhole').filter(faulty).length;
  const elevFault = elevators.filter(faulty).length;
  return h(
    'div',
    { class: 'tiles' },
    tile(t('totals.online'), `${devices.filter((d) => d.online).length}/${devices.length}`, 'online'),
    tile(t('totals.elevatorFault'), `${elevFault}/${elevators.length}`, 'elevator-fault', elevFault > 0),
    tile(t('totals.elevatorMaint'), String(elevators.filter((d) => d.fields.mode === 'maintenance' || d.fields.mode === 'inspection').length), 'elevator-maint'),
    tile(t('totals.manholeAbnormal'), `${manholes}/${of('manhole').length}`, 'manhole', manholes > 0),
    tile(t('totals.laneBlocked'), `${blocked}/${of('fire_lane').length}`, 'fire-lane', blocked > 0),
    tile(
      t('totals.parkingFree'),
      `${parking.filter((p) => p.fields.occupied !== true).length}/${parking.length}`,
      'parking',
    ),
    h('div', { class: 'tile small' }, ...['resident', 'visitor', 'charging'].map((k) => h('div', {}, `${tOf('parking', k)} ${freeBy(k)}`))),
  );
}

function deviceGroups(devices: DeviceView[], state: LiveState, selected: string | undefined, pick: (key: string) => void): HTMLElement {
  const groups = new Map<string, DeviceView[]>();
  for (const d of devices) {
    const group = placeParts(d).join(' · ') || '—';
    groups.set(group, [...(groups.get(group) ?? []), d]);
  }
  return h(
    'div',
    { class: 'groups' },
    ...[...groups].sort(([a], [b]) => a.localeCompare(b)).map(([group, list]) =>
      h('section', { class: 'group' }, h('h3', {}, group),
        h('ul', { class: 'devices' }, ...list.map((d) => {
          const key = deviceKey(d);
          const look = deviceLook(d, state.alertsOf(key));
          return h('li', { class: `device look-${look}${key === selected ? ' selected' : ''}`, 'data-testid': 'device-row', 'data-device-key': key, 'data-online': String(d.online), tabindex: 0, role: 'button', 'aria-pressed': String(key === selected), onclick: () => pick(key), onkeydown: (e: Event) => (e as KeyboardEvent).key === 'Enter' && pick(key) },
            h('span', { class: `dot look-${look}`, 'aria-hidden': 'true' }),
            h('span', { class: 'dev-name' }, deviceLabel(d.type, d.device, d)),
            h('span', { class: 'fields' }, ...keyFields(d).map(([field, text]) => h('span', { class: 'field', 'data-testid': 'device-field', 'data-field': field }, text))),
            h('span', { class: 'seen' }, d.online ? (d.lastSeen ? ago(d.lastSeen) : t('online')) : t('offline')),
          );
        })),
      ),
    ),
  );
}

export function compoundView(root: HTMLElement, compoundId: string, app: AppContext): View {
  const state = new LiveState();
  let selected: string | undefined;
  const head = h('div', { class: 'view-head' });
  const tilesEl = h('div');
  const planEl = h('section', { class: 'panel plan' });
  const historyEl = h('div');
  const alertsList = h('div', { class: 'cards' });
  const devicesEl = h('section', { class: 'panel' });
  const silencesEl = h('section', { class: 'panel', 'data-testid': 'silences-panel', 'aria-live': 'polite' });
  fill(
    root,
    head,
    tilesEl,
    h('div', { class: 'columns' },
      h('div', { class: 'col-main' }, planEl, historyEl),
      h('div', { class: 'col-side' }, h('section', { class: 'panel' }, h('h2', {}, t('alerts.open')), alertsList), silencesEl),
    ),
    devicesEl,
  );

  const pick = (key: string) => {
    selected = key;
    const device = state.devices.get(key);
    if (device) fill(historyEl, historyPanel(device));
    render();
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
    (alert, forms) =>
      alertCard(alert, { me: app.me, device: state.devices.get(alert.deviceKey), compoundName: state.compounds.get(alert.compound)?.name, deviceName: knownName, people, silences, report: app.report }, forms),
    () => `${people.version}|${silences.version}|${state.devices.size}`,
  );

  let pending = false;
  let silencesShown = '';
  const render = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const compound = state.compounds.get(compoundId);
      const devices = [...state.devices.values()];
      fill(head, h('h1', {}, compound?.name ?? compoundId), compound ? h('span', { class: 'muted' }, `${compound.community.name} · ${compound.street.name} · ${compound.district.name}`) : null);
      fill(tilesEl, totals(devices, state));
      fill(planEl, h('h2', {}, t('plan.title')), sitePlan(devices, (d) => deviceLook(d, state.alertsOf(deviceKey(d))), selected, pick));
      if (!historyEl.firstChild) fill(historyEl, h('section', { class: 'panel' }, h('h2', {}, t('history.title')), h('p', { class: 'muted' }, t('history.pick'))));
      fill(devicesEl, h('h2', {}, t('devices.title')), deviceGroups(devices, state, selected, pick));
      learnRuleNames(state.alerts.values());
      renderAlerts(state.alerts.values());
      const silencesKey = `${silences.version}|${people.version}|${ruleNamesVersion()}|${state.devices.size}|${state.compounds.size}`;
      if (silencesKey !== silencesShown) {
        silencesShown = silencesKey;
        renderSilences(silencesEl, { me: app.me, people, silences, deviceName, compoundName, report: app.report });
      }
    });
  };

  const live = follow({ compounds: [compoundId], detail: 'devices' }, state, app, {
    changed: render,
    refused: (message) => fill(root, h('p', { class: 'notice', 'data-testid': 'no-access' }, message)),
  });
  const ticker = setInterval(() => tickCountdowns(state.alerts), 1000);
  return {
    dispose() {
      clearInterval(ticker);
      silences.dispose();
      live.close();
    },
  };
}
