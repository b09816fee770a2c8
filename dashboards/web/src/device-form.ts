/**
 * Add or edit a device of a compound: type and id (new ones only), name, building and zone
 * (picked by the compound's names when it has them), report interval, position on the plan.
 */
import type { AdminDevice, CompoundView, DevicePatch, NewDeviceBody } from '../../../src/contracts/admin.ts';
import { DEVICE_TYPES, type DeviceType } from '../../../src/contracts/device-types.ts';
import { h } from './dom.ts';
import { currentLang, t, tOf } from './i18n.ts';
import { field, ID_INPUT_PATTERN, numberOf, optional, section, select, textOf, uid } from './form-kit.ts';
import { buttonsOf, whileBusy } from './busy.ts';
import { errorBox, isCode } from './error-box.ts';
import { deviceLabel } from './device-format.ts';

export interface DeviceFormOptions {
  compound: CompoundView;
  /** Editing this device; a new one without. */
  device?: AdminDevice;
  save(body: NewDeviceBody | DevicePatch): Promise<void>;
  cancel(): void;
}

/** A building or zone: a choice among the compound's names, or free text where it has none. */
function placeControl(names: Record<string, string> | undefined, current: string | undefined, testid: string): HTMLInputElement | HTMLSelectElement {
  const entries = Object.entries(names ?? {});
  if (!entries.length) return h('input', { value: current ?? '', maxlength: 64, autocapitalize: 'none', 'data-testid': testid });
  entries.sort(([, a], [, b]) => a.localeCompare(b, currentLang() === 'zh' ? 'zh-CN' : 'en', { numeric: true }));
  if (current && !names?.[current]) entries.push([current, current]);
  return select([['', t('devs.notSet')], ...entries], current ?? '', { 'data-testid': testid });
}

export function deviceForm(o: DeviceFormOptions): HTMLElement {
  const d = o.device;
  const type = select(DEVICE_TYPES.map((ty) => [ty, tOf('type', ty)]), 'elevator', { 'data-testid': 'device-type' });
  const id = h('input', { required: true, pattern: ID_INPUT_PATTERN, maxlength: 64, autocapitalize: 'none', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'device-id' });
  const name = h('input', { value: d?.name ?? '', maxlength: 100, autocomplete: 'off', 'data-testid': 'device-name' });
  const building = placeControl(o.compound.buildings, d?.building, 'device-building');
  const zone = placeControl(o.compound.zones, d?.zone, 'device-zone');
  const interval = h('input', { type: 'number', min: 1, max: 86_400, step: 1, inputmode: 'numeric', value: d?.reportIntervalSec ?? '', placeholder: '60', 'data-testid': 'device-interval' });
  const coord = (value: number | undefined, testid: string) => h('input', { type: 'number', min: 0, max: 100, step: 'any', inputmode: 'decimal', value: value ?? '', 'data-testid': testid });
  const x = coord(d?.position?.x, 'device-x');
  const y = coord(d?.position?.y, 'device-y');
  const positionHint = uid('pos-hint');
  const errors = errorBox('device-form-error');
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'device-submit' }, d ? t('adm.save') : t('devs.add'));

  const read = (): NewDeviceBody | DevicePatch | string => {
    const px = numberOf(x);
    const py = numberOf(y);
    if ((px === undefined) !== (py === undefined)) return t('devs.positionBoth');
    const position = px !== undefined && py !== undefined ? { x: px, y: py } : undefined;
    const reportIntervalSec = numberOf(interval);
    if (!d) {
      return {
        type: type.value as DeviceType,
        id: id.value.trim(),
        ...(textOf(name) ? { name: textOf(name) } : {}),
        ...(textOf(building) ? { building: textOf(building) } : {}),
        ...(textOf(zone) ? { zone: textOf(zone) } : {}),
        ...(reportIntervalSec !== undefined ? { reportIntervalSec } : {}),
        ...(position ? { position } : {}),
      };
    }
    // A cleared building, zone or position is taken off (null); a name cannot be emptied.
    return {
      ...(textOf(name) ? { name: textOf(name) } : {}),
      building: textOf(building) ?? null,
      zone: textOf(zone) ?? null,
      ...(reportIntervalSec !== undefined ? { reportIntervalSec } : {}),
      position: position ?? null,
    };
  };

  const form = h('form', {
    class: 'admin-form',
    'data-testid': 'device-form',
    onsubmit: (e: Event) => {
      e.preventDefault();
      errors.clear();
      const body = read();
      if (typeof body === 'string') return errors.say(body);
      void whileBusy(form, buttonsOf(form), async () => {
        try {
          await o.save(body);
        } catch (error) {
          errors.show(error, !d && isCode(error, 'CONFLICT') ? t('devs.idTaken') : undefined);
        }
      });
    },
    onkeydown: (e: Event) => (e as KeyboardEvent).key === 'Escape' && o.cancel(),
  },
    h('div', { class: 'form-grid' },
      d ? null : field(t('devs.type'), type),
      d ? null : field(t('devs.id'), id, t('devs.idHint')),
      field(optional(t('devs.name')), name),
      field(optional(t('devs.building')), building),
      field(optional(t('devs.zone')), zone),
      field(optional(t('devs.intervalSec')), interval),
    ),
    h('fieldset', { class: 'choices position', 'aria-describedby': positionHint },
      h('legend', {}, t('devs.position')),
      field(t('devs.x'), x),
      field(t('devs.y'), y),
      h('span', { class: 'hint', id: positionHint }, t('devs.positionHint')),
    ),
    errors.el,
    h('div', { class: 'row' }, submit, h('button', { type: 'button', 'data-testid': 'device-cancel', onclick: o.cancel }, t('act.cancel'))),
  );
  return section(d ? t('devs.editTitle', { what: deviceLabel(d.type, d.id, d) }) : t('devs.addTitle'), 'device-form-panel', form);
}
