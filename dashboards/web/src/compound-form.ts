/**
 * Add or edit a compound (`PUT /api/admin/compounds/:id`): id (new ones only), name, community
 * (picked by name), grid (picked from the routing's grids, or typed when they cannot be read),
 * area (city or county: the rescue's 30 min or 1 h), location, desk phone, and the names of its
 * buildings and zones as rows. Every field the hub keeps but this form does not show (contacts,
 * site plan) is kept by the hub itself.
 */
import type { CompoundBody, CompoundView, PlaceView } from '../../../src/contracts/admin.ts';
import { h } from './dom.ts';
import { locale, t } from './i18n.ts';
import { field, ID_INPUT_PATTERN, optional, section, select, textOf, uid } from './form-kit.ts';
import { errorBox } from './error-box.ts';
import { rowList, type RowList } from './row-list.ts';
import { gridLabel, type GridInfo, type Places } from './admin-places.ts';
import { locationOf, namesOf, placeChoices, rowsOf, type NameRow } from './place-tree.ts';
import { choiceLabel } from './place-form.ts';
import { sendPlaceForm } from './place-issues.ts';

export interface CompoundFormOptions {
  places: readonly PlaceView[];
  /** The compounds (names, for the grids' labels and ids already taken). */
  compounds: Places;
  /** The routing's grids; none when it cannot be read (the grid is then typed). */
  grids: readonly GridInfo[];
  /** Editing this compound; a new one without. */
  compound?: CompoundView;
  /** A new compound's community, chosen beforehand. */
  community?: string;
  save(id: string, body: CompoundBody): Promise<void>;
  cancel(): void;
}

type Tag = 'building' | 'zone';

/** The rows of a compound's buildings or zones (id + name), under a legend with a hint. */
function tagRows(tag: Tag, names: Record<string, string> | undefined): { el: HTMLElement; rows: RowList<NameRow>; first(): HTMLElement | undefined } {
  const rows = rowList<NameRow>({
    testid: tag,
    legend: (n) => t(`places.${tag}.row`, { n }),
    removeLabel: (n) => t(`places.${tag}.remove`, { n }),
    remove: t('places.remove'),
    add: t(`places.${tag}.add`),
    none: t(`places.${tag}.none`),
    row: (item) => {
      const id = h('input', { value: item?.id ?? '', maxlength: 64, autocapitalize: 'none', autocomplete: 'off', spellcheck: 'false', 'data-testid': `${tag}-id` });
      const name = h('input', { value: item?.name ?? '', maxlength: 100, autocomplete: 'off', 'data-testid': `${tag}-name` });
      return {
        controls: [field(t('places.tagId'), id), field(t('places.tagName'), name)],
        first: id,
        read: () => (id.value.trim() || name.value.trim() ? { id: id.value, name: name.value } : undefined),
      };
    },
  }, rowsOf(names));
  const plural = tag === 'building' ? 'buildings' : 'zones';
  const hint = uid(`${tag}-hint`);
  const el = h('fieldset', { class: 'choices tag-rows', 'aria-describedby': hint, 'data-testid': `compound-${plural}` },
    h('legend', {}, optional(t(`places.${plural}`))),
    h('span', { class: 'hint', id: hint }, t(`places.${plural}Hint`)),
    rows.list,
    h('div', { class: 'row' }, rows.addButton),
  );
  return { el, rows, first: () => el.querySelector<HTMLElement>('input') ?? undefined };
}

export function compoundForm(o: CompoundFormOptions): HTMLElement {
  const c = o.compound;
  const id = h('input', { required: true, pattern: ID_INPUT_PATTERN, maxlength: 64, autocapitalize: 'none', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'compound-id' });
  const name = h('input', { value: c?.name ?? '', required: true, maxlength: 100, autocomplete: 'off', 'data-testid': 'compound-name' });
  const communities = placeChoices(o.places, 'community', locale());
  const community = select(communities.map((x): [string, string] => [x.id, choiceLabel(x)]), c?.community ?? o.community ?? communities[0]?.id, { required: 'true', 'data-testid': 'compound-community' });

  const gridChoices: Array<[string, string]> = o.grids.map((g) => [g.id, gridLabel(g.id, o.grids, o.compounds)]);
  if (c?.grid && !o.grids.some((g) => g.id === c.grid)) gridChoices.push([c.grid, c.grid]);
  const grid = o.grids.length
    ? select([['', t('places.gridNone')], ...gridChoices], c?.grid ?? '', { 'data-testid': 'compound-grid' })
    : h('input', { value: c?.grid ?? '', pattern: ID_INPUT_PATTERN, maxlength: 64, autocapitalize: 'none', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'compound-grid' });

  const area = select([['city', t('places.area.city')], ['county', t('places.area.county')]], c?.area ?? 'city', { 'data-testid': 'compound-area' });
  const coord = (value: number | undefined, min: number, max: number, testid: string) =>
    h('input', { type: 'number', min, max, step: 'any', inputmode: 'decimal', value: value ?? '', 'data-testid': testid });
  const lat = coord(c?.location?.lat, -90, 90, 'compound-lat');
  const lon = coord(c?.location?.lon, -180, 180, 'compound-lon');
  const locationHint = uid('location-hint');
  const deskPhone = h('input', { type: 'tel', inputmode: 'tel', value: c?.deskPhone ?? '', maxlength: 32, autocomplete: 'off', 'data-testid': 'compound-desk-phone' });
  const buildings = tagRows('building', c?.buildings);
  const zones = tagRows('zone', c?.zones);
  const errors = errorBox('compound-form-error');

  /** The body, or what to fix first and where. */
  const read = (): CompoundBody | { problem: string; at?: HTMLElement } => {
    const where = locationOf(lat.value, lon.value);
    if (!where.ok) return { problem: t('places.locationBoth'), at: lat };
    const tags: Record<Tag, Record<string, string> | undefined> = { building: undefined, zone: undefined };
    for (const [tag, part] of [['building', buildings], ['zone', zones]] as const) {
      const read = namesOf(part.rows.values());
      if (!read.ok) return { problem: t(`places.rows.${read.problem}`, { what: t(`places.${tag === 'building' ? 'buildings' : 'zones'}`), n: read.row }), at: part.first() };
      tags[tag] = read.names;
    }
    return {
      name: name.value.trim(),
      community: community.value,
      ...(textOf(grid) ? { grid: textOf(grid) } : {}),
      ...(tags.building ? { buildings: tags.building } : {}),
      ...(tags.zone ? { zones: tags.zone } : {}),
      area: area.value as 'city' | 'county',
      ...(where.location ? { location: where.location } : {}),
      ...(textOf(deskPhone) ? { deskPhone: textOf(deskPhone) } : {}),
    };
  };

  const form = h('form', {
    class: 'admin-form',
    'data-testid': 'compound-form',
    onsubmit: (e: Event) => {
      e.preventDefault();
      errors.clear();
      const compoundId = c?.id ?? id.value.trim();
      const taken = c ? undefined : o.compounds.compound(compoundId);
      if (taken) return (errors.say(t('places.idTaken', { name: taken.name })), id.focus());
      const body = read();
      if ('problem' in body) return (errors.say(body.problem), body.at?.focus());
      const controls = { id, name, community, grid, location: lat, deskPhone, buildings: buildings.first(), zones: zones.first() };
      sendPlaceForm(form, errors, controls, () => o.save(compoundId, body));
    },
    onkeydown: (e: Event) => (e as KeyboardEvent).key === 'Escape' && o.cancel(),
  },
    h('div', { class: 'form-grid' },
      c ? null : field(t('places.id'), id, t('devs.idHint')),
      field(t('places.name'), name),
      field(t('places.community'), community),
      field(optional(t('places.grid')), grid, o.grids.length ? t('places.gridHint') : t('places.gridIdHint')),
      field(t('places.area'), area, t('places.areaHint')),
      field(optional(t('places.deskPhone')), deskPhone, t('places.deskPhoneHint')),
    ),
    h('fieldset', { class: 'choices position', 'aria-describedby': locationHint, 'data-testid': 'compound-location' },
      h('legend', {}, t('places.location')),
      field(t('places.lat'), lat),
      field(t('places.lon'), lon),
      h('span', { class: 'hint', id: locationHint }, t('places.locationHint')),
    ),
    buildings.el,
    zones.el,
    errors.el,
    h('div', { class: 'row' },
      h('button', { type: 'submit', class: 'primary', 'data-testid': 'compound-submit' }, c ? t('adm.save') : t('places.addCompound')),
      h('button', { type: 'button', 'data-testid': 'compound-cancel', onclick: o.cancel }, t('act.cancel')),
    ),
  );
  return section(c ? t('places.compoundTitleEdit', { name: c.name }) : t('places.compoundTitleNew'), 'compound-form-panel', form);
}
