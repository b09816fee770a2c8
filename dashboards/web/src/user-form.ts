/**
 * Create or edit a login: id (new ones only), name, role, the scope the role needs (compounds
 * for a manager or viewer, grids for a worker: by id when routing has no grids), and the contact
 * the group robots @mention (contact-fields.ts).
 */
import type { AdminUser, NewUserBody, UserPatch } from '../../../src/contracts/admin.ts';
import { ROLES, type Role } from '../../../src/contracts/access.ts';
import { h, fill } from './dom.ts';
import { t, tOf } from './i18n.ts';
import { checkList, field, ID_INPUT_PATTERN, optional, section, select, textOf, type CheckList } from './form-kit.ts';
import { buttonsOf, whileBusy } from './busy.ts';
import { errorBox, isCode } from './error-box.ts';
import { ApiError } from './api.client.ts';
import { contactFields } from './contact-fields.ts';
import { gridLabel, type GridInfo, type Places } from './admin-places.ts';

export interface UserFormOptions {
  /** Editing this login; a new one without. */
  user?: AdminUser;
  places: Places;
  grids: GridInfo[];
  /** Sends the body; a refusal is thrown and shown in the form. */
  save(body: NewUserBody | UserPatch): Promise<void>;
  cancel(): void;
}

interface Scope {
  el: HTMLElement | null;
  /** The body's scope, or the sentence saying what is missing. */
  read(): Pick<NewUserBody, 'compounds' | 'grids'> | string;
}

function scopeFor(role: Role, o: UserFormOptions): Scope {
  if (role === 'department') {
    // A department's scope is what is handed over to its parties (the routing's groups it is a member of).
    return { el: h('p', { class: 'hint', 'data-testid': 'user-department-hint' }, t('users.departmentHint')), read: () => ({}) };
  }
  if (role === 'manager' || role === 'committee') {
    const list = checkList(t('users.compounds'), o.places.compoundChoices(), o.user?.compounds ?? [], 'user-compounds');
    return { el: list.el, read: () => (list.values().length ? { compounds: list.values() } : t('users.pickCompound')) };
  }
  if (role === 'viewer') {
    // A viewer without a list sees every compound; an empty list would be none (user-scope.ts).
    const list = checkList(t('users.compounds'), o.places.compoundChoices(), o.user?.compounds ?? [], 'user-compounds');
    const hint = h('p', { class: 'hint' }, t('users.viewerAll'));
    const hadList = Boolean(o.user?.compounds?.length);
    return {
      el: h('div', {}, list.el, hint),
      read: () => (list.values().length ? { compounds: list.values() } : hadList ? t('users.viewerKeep') : {}),
    };
  }
  if (role === 'worker') {
    let list: CheckList | undefined;
    let typed: HTMLInputElement | undefined;
    if (o.grids.length) list = checkList(t('users.grids'), o.grids.map((g) => [g.id, gridLabel(g.id, o.grids, o.places)]), o.user?.grids ?? [], 'user-grids');
    else typed = h('input', { value: (o.user?.grids ?? []).join(', '), 'data-testid': 'user-grids-text', autocapitalize: 'none' });
    const grids = () => list?.values() ?? (typed?.value ?? '').split(/[,，\s]+/).filter(Boolean);
    return {
      el: list?.el ?? field(t('users.gridsText'), typed!, t('users.noGrids')),
      read: () => (grids().length ? { grids: grids() } : t('users.pickGrid')),
    };
  }
  return { el: null, read: () => ({}) };
}

export function userForm(o: UserFormOptions): HTMLElement {
  const editing = o.user;
  const id = h('input', { required: true, pattern: ID_INPUT_PATTERN, maxlength: 64, autocapitalize: 'none', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'user-id' });
  const name = h('input', { value: editing?.name ?? '', maxlength: 100, autocomplete: 'off', 'data-testid': 'user-name' });
  const role = select(ROLES.map((r) => [r, tOf('role', r)]), editing?.role ?? 'manager', { 'data-testid': 'user-role' });
  const scopeHost = h('div', { class: 'scope' });
  let scope = scopeFor(role.value as Role, o);
  const showScope = () => ((scope = scopeFor(role.value as Role, o)), fill(scopeHost, scope.el));
  role.addEventListener('change', showScope);
  showScope();
  const contact = contactFields(editing?.contact);
  const errors = errorBox('user-form-error');
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'user-submit' }, editing ? t('adm.save') : t('users.new'));

  const form = h('form', {
    class: 'admin-form',
    'data-testid': 'user-form',
    onsubmit: (e: Event) => {
      e.preventDefault();
      errors.clear();
      const picked = scope.read();
      const typed = contact.read();
      if (!typed.ok) {
        errors.say(typeof picked === 'string' ? `${picked}; ${t('contact.fix')}` : t('contact.fix'));
        return contact.firstInvalid()?.focus();
      }
      if (typeof picked === 'string') return errors.say(picked);
      // Editing: a contact cleared is taken away (null); a new login without one has none.
      const contactPart = typed.contact ? { contact: typed.contact } : editing?.contact ? { contact: null } : {};
      const body = { ...(textOf(name) ? { name: textOf(name) } : {}), role: role.value as Role, ...picked, ...contactPart };
      void whileBusy(form, buttonsOf(form), async () => {
        try {
          await o.save(editing ? body : { id: id.value.trim(), ...body });
        } catch (error) {
          errors.show(error, !editing && isCode(error, 'CONFLICT') ? t('users.idTaken', { id: id.value.trim() }) : undefined);
          if (error instanceof ApiError && error.issues.length && contact.showIssues(error.issues).length < error.issues.length) contact.firstInvalid()?.focus();
        }
      });
    },
    onkeydown: (e: Event) => (e as KeyboardEvent).key === 'Escape' && o.cancel(),
  },
    editing ? null : field(t('users.id'), id, t('users.idHint')),
    field(optional(t('users.name')), name),
    field(t('users.role'), role),
    scopeHost,
    contact.el,
    errors.el,
    h('div', { class: 'row' }, submit, h('button', { type: 'button', 'data-testid': 'user-cancel', onclick: o.cancel }, t('act.cancel'))),
  );
  return section(editing ? t('users.editTitle', { who: editing.name ?? editing.id }) : t('users.new'), 'user-form-panel', form);
}
