/**
 * The compound's device list: search by name or id, filters by type, state and building, devices
 * grouped by building and zone with their key fields, and a count that says how many are shown
 * of how many. With a paged live window (a compound of more devices than a page) the view
 * passes the page and the hub's total; the list offers previous/next. Keyboard focus stays on
 * the same row or control across live updates.
 */
import { DEVICE_TYPES } from '../../../src/contracts/device-types.ts';
import type { DeviceType, DeviceView, LivePage } from '../../../src/contracts/live-events.ts';
import { h, fill } from './dom.ts';
import { ago, t, tOf } from './i18n.ts';
import { deviceLabel, keyFields, placeParts, type DeviceLook } from './device-format.ts';
import { deviceKey } from './live-state.ts';
import { LOOK_ICON } from './plan-markers.ts';

export const DEVICE_STATES = ['online', 'offline', 'alerting', 'maintenance'] as const;
export type DeviceStateFilter = (typeof DEVICE_STATES)[number];

export interface DeviceFilter {
  q: string;
  type?: DeviceType | undefined;
  state?: DeviceStateFilter | undefined;
  /** A building id; '' for devices without one; undefined for all. */
  building?: string | undefined;
}

/** Whether a device passes the filter (`alerting`: it has an open alert). */
export function matchesFilter(d: DeviceView, look: DeviceLook, alerting: boolean, f: DeviceFilter): boolean {
  const q = f.q.trim().toLowerCase();
  if (q && !d.device.toLowerCase().includes(q) && !(d.name ?? '').toLowerCase().includes(q)) return false;
  if (f.type && d.type !== f.type) return false;
  if (f.building !== undefined && (d.building ?? '') !== f.building) return false;
  switch (f.state) {
    case 'online': return d.online;
    case 'offline': return !d.online;
    case 'alerting': return alerting;
    case 'maintenance': return look === 'maintenance';
    default: return true;
  }
}

export interface DeviceListInput {
  devices: DeviceView[];
  lookOf(d: DeviceView): DeviceLook;
  alerting(d: DeviceView): boolean;
  selected?: string | undefined;
  /** Set when `devices` is one page of the hub's window: the type, building and search filters are the hub's. */
  page?: LivePage | undefined;
}

export class DeviceList {
  readonly el: HTMLElement;
  readonly filter: DeviceFilter = { q: '' };
  readonly #list = h('div', { class: 'device-list' });
  readonly #count = h('p', { class: 'muted', 'data-testid': 'devices-count', 'aria-live': 'polite' });
  readonly #pager = h('div', { class: 'pager' });
  readonly #building: HTMLSelectElement;
  readonly #pick: (key: string) => void;
  readonly #changed: () => void;
  readonly #paged: (offset: number) => void;
  /** The rows drawn, by device, with what each shows; and the groups and devices they were laid out in. */
  #rows = new Map<string, { shows: string; el: HTMLElement }>();
  #layout = '';

  /** `changed`: a filter changed; `paged`: previous/next page (paged mode only). */
  constructor(pick: (key: string) => void, changed: () => void, paged: (offset: number) => void) {
    this.#pick = pick;
    this.#changed = changed;
    this.#paged = paged;
    const set = (apply: (value: string) => void) => (e: Event) => (apply((e.target as HTMLInputElement | HTMLSelectElement).value), this.#changed());
    const label = (text: string, control: HTMLElement) => h('label', { class: 'filter' }, h('span', {}, text), control);
    this.#building = h('select', { 'data-testid': 'devices-building', 'data-focus-key': 'f:building', onchange: set((v) => (this.filter.building = v === '*' ? undefined : v)) }, h('option', { value: '*' }, t('devices.all')));
    this.el = h(
      'div',
      { class: 'devices-box' },
      h('div', { class: 'device-filters', role: 'search' },
        label(t('devices.search'), h('input', { type: 'search', 'data-testid': 'devices-search', 'data-focus-key': 'f:q', autocomplete: 'off', oninput: set((v) => (this.filter.q = v)) })),
        label(t('devices.type'), h('select', { 'data-testid': 'devices-type', 'data-focus-key': 'f:type', onchange: set((v) => (this.filter.type = (v || undefined) as DeviceType | undefined)) },
          h('option', { value: '' }, t('devices.all')), ...DEVICE_TYPES.map((type) => h('option', { value: type }, tOf('type', type))))),
        label(t('devices.state'), h('select', { 'data-testid': 'devices-state', 'data-focus-key': 'f:state', onchange: set((v) => (this.filter.state = (v || undefined) as DeviceStateFilter | undefined)) },
          h('option', { value: '' }, t('devices.all')), ...DEVICE_STATES.map((s) => h('option', { value: s }, t(`devices.state.${s}`))))),
        label(t('devices.building'), this.#building),
      ),
      this.#count,
      this.#list,
      this.#pager,
    );
  }

  /** The compound's buildings by name (the registry's map), for the building filter. */
  setBuildings(names: Record<string, string>): void {
    const current = this.#building.value;
    fill(this.#building,
      h('option', { value: '*' }, t('devices.all')),
      ...Object.entries(names).sort(([, a], [, b]) => a.localeCompare(b, 'zh-CN', { numeric: true })).map(([id, name]) => h('option', { value: id }, name)),
      h('option', { value: '' }, t('devices.noBuilding')));
    this.#building.value = [...this.#building.options].some((o) => o.value === current) ? current : '*';
  }

  render(input: DeviceListInput): void {
    const focusKey = this.#list.contains(document.activeElement) ? document.activeElement?.getAttribute('data-focus-key') : null;
    const shown = input.devices.filter((d) => matchesFilter(d, input.lookOf(d), input.alerting(d), this.filter));
    const total = input.page?.total ?? input.devices.length;
    this.#count.textContent = input.page
      ? t('devices.page', { from: total ? input.page.offset + 1 : 0, to: input.page.offset + input.devices.length, total })
      : t('devices.shown', { n: shown.length, total });
    const groups = new Map<string, DeviceView[]>();
    for (const d of shown) {
      const group = placeParts(d).join(' · ') || '—';
      const list = groups.get(group);
      if (list) list.push(d);
      else groups.set(group, [d]);
    }
    const ordered = [...groups].sort(([a], [b]) => a.localeCompare(b, 'zh-CN', { numeric: true }));
    // Rows are kept by device and drawn again only when what they show changed: a batch of readings
    // touches a few rows, not the whole list (a compound of 2,000 devices at 10 batches a second).
    const rows = new Map<string, { shows: string; el: HTMLElement }>();
    const rowOf = (d: DeviceView) => {
      const key = deviceKey(d);
      const shows = this.#shows(d, input);
      const kept = this.#rows.get(key);
      const row = kept && kept.shows === shows ? kept : { shows, el: this.#row(d, input) };
      rows.set(key, row);
      return row.el;
    };
    const layout = ordered.map(([group, list]) => `${group}:${list.map(deviceKey).join(',')}`).join('|');
    if (!shown.length) fill(this.#list, h('p', { class: 'muted', 'data-testid': 'devices-none' }, t('devices.none')));
    else if (layout === this.#layout) {
      // The same devices in the same groups: only the rows that changed are swapped.
      for (const [, list] of ordered) for (const d of list) {
        const before = this.#rows.get(deviceKey(d))?.el;
        const el = rowOf(d);
        if (before && before !== el) before.replaceWith(el);
      }
    } else {
      fill(this.#list, h('div', { class: 'groups' }, ...ordered.map(([group, list]) =>
        h('section', { class: 'group' }, h('h3', {}, group), h('ul', { class: 'devices' }, ...list.map(rowOf))))));
    }
    this.#layout = shown.length ? layout : '';
    this.#rows = rows;
    const page = input.page;
    fill(this.#pager, page && page.total > page.limit
      ? [h('button', { type: 'button', class: 'plan-tool wide', disabled: page.offset === 0, 'data-focus-key': 'p:prev', onclick: () => this.#paged(Math.max(0, page.offset - page.limit)) }, t('devices.prev')),
         h('button', { type: 'button', class: 'plan-tool wide', disabled: page.offset + page.limit >= page.total, 'data-focus-key': 'p:next', onclick: () => this.#paged(page.offset + page.limit) }, t('devices.next'))]
      : []);
    if (focusKey && !this.#list.contains(document.activeElement)) (this.#list.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`) as HTMLElement | null)?.focus();
  }

  /** What a row shows, as text: equal text, the same row. */
  #shows(d: DeviceView, input: DeviceListInput): string {
    const fields = keyFields(d).map(([field, text]) => `${field}=${text}`).join(';');
    return [input.lookOf(d), deviceKey(d) === input.selected, deviceLabel(d.type, d.device, d), d.online, d.online && d.lastSeen ? ago(d.lastSeen) : '', fields].join('|');
  }

  #row(d: DeviceView, input: DeviceListInput): HTMLElement {
    const key = deviceKey(d);
    const look = input.lookOf(d);
    const selected = key === input.selected;
    const pick = () => this.#pick(key);
    // A list item holding one button: lists hold list items only, and the button is what is focused and pressed.
    return h('li', { class: `device look-${look}${selected ? ' selected' : ''}`, 'data-testid': 'device-row', 'data-device-key': key, 'data-online': String(d.online) },
      h('button', { type: 'button', class: 'device-pick', 'data-testid': 'device-pick', 'data-device-key': key, 'data-focus-key': `row:${key}`, 'aria-pressed': String(selected), onclick: pick },
        h('span', { class: `dot look-${look}`, 'aria-hidden': 'true' }, LOOK_ICON[look]),
        h('span', { class: 'dev-name' }, deviceLabel(d.type, d.device, d), h('span', { class: 'sr-only' }, ` · ${t(`plan.state.${look}`)}`)),
        h('span', { class: 'fields' }, ...keyFields(d).map(([field, text]) => h('span', { class: 'field', 'data-testid': 'device-field', 'data-field': field }, text))),
        h('span', { class: 'seen' }, d.online ? (d.lastSeen ? ago(d.lastSeen) : t('online')) : t('offline')),
      ),
    );
  }
}
