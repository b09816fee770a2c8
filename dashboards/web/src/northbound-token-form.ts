/**
 * The form for a new northbound pull token: its name and what it may read, every compound or
 * the compounds ticked by name. The page sends it and shows the secret once.
 */
import type { NewTokenBody } from '../../../src/contracts/northbound.ts';
import { h } from './dom.ts';
import { t } from './i18n.ts';
import { errorBox } from './error-box.ts';
import { buttonsOf, whileBusy } from './busy.ts';
import { checkList, field, section, uid } from './form-kit.ts';
import type { Places } from './admin-places.ts';

export interface TokenFormOptions {
  places: Places;
  save(body: NewTokenBody): Promise<void>;
  cancel(): void;
}

export function tokenForm(o: TokenFormOptions): HTMLElement {
  const name = h('input', { required: true, maxlength: 100, autocomplete: 'off', 'data-testid': 'nb-name' });
  const group = uid('nb-scope');
  const choices = o.places.compoundChoices();
  const all = h('input', { type: 'radio', name: group, value: 'all', checked: true, 'data-testid': 'nb-scope-all' });
  const some = h('input', { type: 'radio', name: group, value: 'some', disabled: !choices.length, 'data-testid': 'nb-scope-some' });
  const list = checkList(t('nb.compounds'), choices, [], 'nb-compounds');
  const showList = () => (list.el.hidden = !some.checked);
  all.addEventListener('change', showList);
  some.addEventListener('change', showList);
  showList();
  const errors = errorBox('nb-form-error');

  const read = (): NewTokenBody | string => {
    if (!name.value.trim()) return t('nb.needName');
    if (!some.checked) return { name: name.value.trim(), scope: 'all' };
    const picked = list.values();
    return picked.length ? { name: name.value.trim(), scope: picked } : t('nb.pickCompound');
  };

  const form = h('form', {
    class: 'admin-form',
    'data-testid': 'nb-form',
    onsubmit: (e: Event) => {
      e.preventDefault();
      errors.clear();
      const body = read();
      if (typeof body === 'string') return errors.say(body);
      void whileBusy(form, buttonsOf(form), () => o.save(body).catch((error: unknown) => errors.show(error)));
    },
    onkeydown: (e: Event) => (e as KeyboardEvent).key === 'Escape' && o.cancel(),
  },
    h('div', { class: 'form-grid' }, field(t('nb.name'), name, t('nb.nameHint'))),
    h('fieldset', { class: 'choices', 'data-testid': 'nb-scope' },
      h('legend', {}, t('nb.scope')),
      h('label', { class: 'choice' }, all, ` ${t('nb.scope.all')}`),
      h('label', { class: 'choice' }, some, ` ${t('nb.scope.some')}`),
      choices.length ? null : h('p', { class: 'hint' }, t('nb.noCompounds')),
    ),
    list.el,
    errors.el,
    h('div', { class: 'row' },
      h('button', { type: 'submit', class: 'primary', 'data-testid': 'nb-submit' }, t('nb.create')),
      h('button', { type: 'button', 'data-testid': 'nb-cancel', onclick: o.cancel }, t('act.cancel')),
    ),
  );
  return section(t('nb.formTitle'), 'nb-form-panel', form);
}
