/** A compound's contacts (name, phone, role), edited as a list and saved whole. */
import type { CompoundView, Contact, ContactsBody } from '../../../src/contracts/admin.ts';
import { h } from './dom.ts';
import { t } from './i18n.ts';
import { api } from './api.client.ts';
import { field, optional, section, textOf } from './form-kit.ts';
import { buttonsOf, whileBusy } from './busy.ts';
import { errorBox } from './error-box.ts';
import { rowList } from './row-list.ts';

export function contactsSection(compound: CompoundView, saved: (next: CompoundView) => void, report: (message: string) => void): HTMLElement {
  const rows = rowList<Contact>({
    testid: 'contact',
    legend: (n) => t('contacts.row', { n }),
    removeLabel: (n) => t('contacts.removeLabel', { n }),
    remove: t('contacts.remove'),
    add: t('contacts.add'),
    none: t('contacts.none'),
    row: (c) => {
      const name = h('input', { value: c?.name ?? '', required: true, maxlength: 100, autocomplete: 'off', 'data-testid': 'contact-name' });
      const phone = h('input', { type: 'tel', value: c?.phone ?? '', maxlength: 40, autocomplete: 'off', 'data-testid': 'contact-phone' });
      const role = h('input', { value: c?.role ?? '', maxlength: 100, autocomplete: 'off', 'data-testid': 'contact-role' });
      return {
        controls: [field(t('contacts.name'), name), field(optional(t('contacts.phone')), phone), field(optional(t('contacts.role')), role)],
        first: name,
        read: () => (textOf(name) ? { name: textOf(name)!, ...(textOf(phone) ? { phone: textOf(phone) } : {}), ...(textOf(role) ? { role: textOf(role) } : {}) } : undefined),
      };
    },
  }, compound.contacts ?? []);

  const errors = errorBox('contacts-error');
  const form = h('form', {
    class: 'admin-form',
    'data-testid': 'contacts-form',
    onsubmit: (e: Event) => {
      e.preventDefault();
      errors.clear();
      const body: ContactsBody = { contacts: rows.values() };
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
    rows.list,
    errors.el,
    h('div', { class: 'row' }, rows.addButton, h('button', { type: 'submit', class: 'primary', 'data-testid': 'contacts-submit' }, t('contacts.save'))),
  );
  return section(t('contacts.title'), 'contacts-panel', form);
}
