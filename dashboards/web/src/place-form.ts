/**
 * Add a place (kind, id, name, the place it sits in, picked by name) or edit one (name, the
 * place it sits in): `PUT /api/admin/places/:kind/:id`.
 */
import type { PlaceBody, PlaceKind, PlaceView } from '../../../src/contracts/admin.ts';
import { PLACE_KINDS } from '../../../src/contracts/admin.ts';
import { h, fill } from './dom.ts';
import { locale, t } from './i18n.ts';
import { field, ID_INPUT_PATTERN, section, select } from './form-kit.ts';
import { errorBox } from './error-box.ts';
import { PARENT_KIND, placeChoices, type PlaceChoice } from './place-tree.ts';
import { sendPlaceForm } from './place-issues.ts';

export interface PlaceFormOptions {
  places: readonly PlaceView[];
  /** Editing this place; a new one without. */
  place?: PlaceView;
  save(kind: PlaceKind, id: string, body: PlaceBody): Promise<void>;
  cancel(): void;
}

/** 翠苑社区（文新街道）: a choice with the place it sits in. */
export const choiceLabel = (c: PlaceChoice): string => (c.parentName ? t('places.inParent', { name: c.name, parent: c.parentName }) : c.name);

export const kindName = (kind: PlaceKind): string => t(`placeKind.${kind}`);

export function placeForm(o: PlaceFormOptions): HTMLElement {
  const p = o.place;
  const kind = select(PLACE_KINDS.map((k): [string, string] => [k, kindName(k)]), p?.kind ?? 'street', { 'data-testid': 'place-kind' });
  const id = h('input', { required: true, pattern: ID_INPUT_PATTERN, maxlength: 64, autocapitalize: 'none', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'place-id' });
  const name = h('input', { value: p?.name ?? '', required: true, maxlength: 100, autocomplete: 'off', 'data-testid': 'place-name' });
  const parentHost = h('div');
  let parent: HTMLSelectElement | undefined;
  const errors = errorBox('place-form-error');

  const currentKind = () => (p?.kind ?? kind.value) as PlaceKind;
  const drawParent = () => {
    const parentKind = PARENT_KIND[currentKind()];
    parent = undefined;
    if (!parentKind) return fill(parentHost);
    const choices = placeChoices(o.places, parentKind, locale());
    if (!choices.length) return fill(parentHost, h('p', { class: 'notice', 'data-testid': 'place-needs-parent' }, t('places.needParent', { kind: kindName(parentKind) })));
    parent = select(choices.map((c): [string, string] => [c.id, choiceLabel(c)]), p?.parent ?? choices[0]!.id, { 'data-testid': 'place-parent' });
    fill(parentHost, field(t(`places.parentOf.${currentKind() as 'street' | 'community'}`), parent));
  };
  kind.addEventListener('change', drawParent);
  drawParent();

  const form = h('form', {
    class: 'admin-form',
    'data-testid': 'place-form',
    onsubmit: (e: Event) => {
      e.preventDefault();
      errors.clear();
      const k = currentKind();
      const placeId = p?.id ?? id.value.trim();
      const parentKind = PARENT_KIND[k];
      if (parentKind && !parent) return errors.say(t('places.needParent', { kind: kindName(parentKind) }));
      if (!p && o.places.some((x) => x.kind === k && x.id === placeId)) {
        return errors.say(t('places.idTaken', { name: o.places.find((x) => x.kind === k && x.id === placeId)!.name }));
      }
      const body: PlaceBody = { name: name.value.trim(), ...(parent ? { parent: parent.value } : {}) };
      sendPlaceForm(form, errors, { name, parent, id }, () => o.save(k, placeId, body));
    },
    onkeydown: (e: Event) => (e as KeyboardEvent).key === 'Escape' && o.cancel(),
  },
    h('div', { class: 'form-grid' },
      p ? null : field(t('places.kind'), kind),
      p ? null : field(t('places.id'), id, t('devs.idHint')),
      field(t('places.name'), name),
      parentHost,
    ),
    errors.el,
    h('div', { class: 'row' },
      h('button', { type: 'submit', class: 'primary', 'data-testid': 'place-submit' }, p ? t('adm.save') : t('places.addPlace')),
      h('button', { type: 'button', 'data-testid': 'place-cancel', onclick: o.cancel }, t('act.cancel')),
    ),
  );
  return section(p ? t('places.placeTitleEdit', { kind: kindName(p.kind), name: p.name }) : t('places.placeTitleNew'), 'place-form-panel', form);
}
