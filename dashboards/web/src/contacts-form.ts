/** A compound's contacts (name, phone, role), edited as a list and saved whole. */
import type { CompoundView, Contact, ContactsBody } from '../../../src/contracts/admin.ts';
import { h, fill } from './dom.ts';
import { t } from './i18n.ts';
import { api } from './api.client.ts';
import { field, optional, section, textOf } from './form-kit.ts';
import { buttonsOf, whileBusy } from './busy.ts';
import { errorBox } from './error-box.ts';

interface ContactRow {
  el: HTMLElement;
  read(): Contact | undefined;
}

export function contactsSection(compound: CompoundView, saved: (next: CompoundView) => void, report: (message: string) => void): HTMLElement {
  const list = h('div', { class: 'contact-rows' });
  let rows: ContactRow[] = [];
  const redraw = () => {
    rows.forEach((r, i) => {
      r.el.querySelector('legend')!.textContent = t('contacts.row', { n: i + 1 });
      r.el.querySelector('[data-testid="contact-remove"]')!.setAttribute('aria-label', t('contacts.removeLabel', { n: i + 1 }));
    });
    fill(list, rows.length ? rows.map((r) => r.el) : h('p', { class: 'muted' }, t('contacts.none')));
  };
  const addRow = (c?: Contact) => {
    const name = h('input', { value: c?.name ?? '', required: true, maxlength: 100, autocomplete: 'off', 'data-testid': 'contact-name' });
    const phone = h('input', { type: 'tel', value: c?.phone ?? '', maxlength: 40, autocomplete: 'off', 'data-testid': 'contact-phone' });
    const role = h('input', { value: c?.role ?? '', maxlength: 100, autocomplete: 'off', 'data-testid': 'contact-role' });
    const row: ContactRow = {
      el: h('fieldset', { class: 'choices contact', 'data-testid': 'contact-row' },
        h('legend', {}),
        field(t('contacts.name'), name),
        field(optional(t('contacts.phone')), phone),
        field(optional(t('contacts.role')), role),
        h('button', { type: 'button', 'data-testid': 'contact-remove', onclick: () => ((rows = rows.filter((r) => r !== row)), redraw(), addButton.focus()) }, t('contacts.remove')),
      ),
      read: () => (textOf(name) ? { name: textOf(name)!, ...(textOf(phone) ? { phone: textOf(phone) } : {}), ...(textOf(role) ? { role: textOf(role) } : {}) } : undefined),
    };
    rows.push(row);
    redraw();
    return name;
  };
  const addButton = h('button', { type: 'button', 'data-testid': 'contact-add', onclick: () => addRow().focus() }, t('contacts.add'));
  for (const c of compound.contacts ?? []) addRow(c);
  redraw();

  const errors = errorBox('contacts-error');
  const form = h('form', {
    class: 'admin-form',
    'data-testid': 'contacts-form',
    onsubmit: (e: Event) => {
      e.preventDefault();
      errors.clear();
      const body: ContactsBody = { contacts: rows.map((r) => r.read()).filter((c): c is Contact => Boolean(c)) };
      void whileBusy(form, buttonsOf(form), async () => {
        try {
          const answer = await api<{ compound: CompoundView }>('PUT', `/api/admin/compounds/${encodeURIComponent(compound.id)}/contacts`, body);
          report(t('contacts.saved', { compound: compound.name }));
          saved(answer.compound);
        } catch (error) {
          errors.show(error);
        }
      });
    },
  },
    list,
    errors.el,
    h('div', { class: 'row' }, addButton, h('button', { type: 'submit', class: 'primary', 'data-testid': 'contacts-submit' }, t('contacts.save'))),
  );
  return section(t('contacts.title'), 'contacts-panel', form);
}
