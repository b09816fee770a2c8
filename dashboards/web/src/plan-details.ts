/**
 * The details of the device picked on the plan or in the list: where it is, its state, every live
 * field with its unit, its last event, its open alerts (a click goes to the alert's card) and,
 * below, its history chart (history-chart.ts, made once per pick so live updates do not redraw it).
 */
import type { Alert, DeviceView } from '../../../src/contracts/live-events.ts';
import { h } from './dom.ts';
import { ago, stamp, t, tOf } from './i18n.ts';
import { deviceLabel, fieldText, placeParts, type DeviceLook } from './device-format.ts';
import { fieldLabel } from './field-format.ts';
import { LOOK_ICON } from './plan-markers.ts';
import { alertName } from './rule-names.ts';

export interface DetailsInput {
  device: DeviceView;
  look: DeviceLook;
  alerts: Alert[];
  compoundName?: string | undefined;
  openAlert(alert: Alert): void;
  close(): void;
}

export function deviceDetails(input: DetailsInput): HTMLElement {
  const { device: d, look, alerts } = input;
  const name = deviceLabel(d.type, d.device, d);
  const row = (label: string, value: string, attrs: Record<string, string> = {}) => h('div', { class: 'detail-row', ...attrs }, h('dt', {}, label), h('dd', {}, value));
  const event = d.lastEvent;
  return h(
    'div',
    { class: 'device-details', 'data-testid': 'device-details', 'data-device-key': `${d.compound}/${d.type}/${d.device}` },
    h('div', { class: 'details-head' },
      h('h3', { 'data-testid': 'details-name' }, name),
      h('button', { type: 'button', class: 'plan-tool wide', 'data-testid': 'details-close', onclick: input.close }, t('details.close'))),
    h('dl', { class: 'details-facts' },
      row(t('details.where'), [input.compoundName, ...placeParts(d)].filter(Boolean).join(' · ') || '—'),
      row(t('details.state'), `${LOOK_ICON[look] ? `${LOOK_ICON[look]} ` : ''}${t(`plan.state.${look}`)}`, { 'data-testid': 'details-state' }),
      row(t('details.lastSeen'), d.lastSeen ? `${stamp(d.lastSeen)} · ${ago(d.lastSeen)}` : t('details.never'))),
    h('h4', {}, t('details.fields')),
    h('dl', { class: 'details-fields' }, ...Object.entries(d.fields).map(([field, value]) =>
      h('div', { class: 'detail-row', 'data-testid': 'details-field', 'data-field': field }, h('dt', {}, fieldLabel(field)), h('dd', {}, fieldText(field, value))))),
    h('h4', {}, t('details.lastEvent')),
    h('p', { 'data-testid': 'details-event' }, event ? `${tOf('event', event.event)}${event.code ? ` (${event.code})` : ''} · ${stamp(event.ts)}` : t('details.noEvent')),
    h('h4', {}, t('details.alerts')),
    alerts.length
      ? h('ul', { class: 'details-alerts' }, ...alerts.map((a) => h('li', {},
          h('button', { type: 'button', class: `link sev-${a.severity}`, 'data-testid': 'details-alert', 'data-alert-id': a.id, onclick: () => input.openAlert(a) },
            `${tOf('sev', a.severity)} · ${alertName(a)} · ${stamp(a.raisedAt)}`))))
      : h('p', { class: 'muted' }, t('details.noAlerts')),
  );
}
