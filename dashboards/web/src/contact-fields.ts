/**
 * A login's contact in the login form: mobile number and the WeCom / DingTalk / Feishu ids the
 * group robots @mention. Each field says what is wrong beside itself (checked before sending with
 * the hub's own patterns, and again from the hub's `contact.*` issues), and how to find the id.
 */
import type { Contact } from '../../../src/contracts/api.ts';
import type { Issue } from '../../../src/contracts/admin.ts';
import { CONTACT_FIELDS, CONTACT_PATTERNS, normalizeMobile, type ContactField } from '../../../src/contracts/contact-patterns.ts';
import { h, fill } from './dom.ts';
import { t } from './i18n.ts';
import { optional, uid } from './form-kit.ts';

export interface ContactFields {
  el: HTMLElement;
  /** The contact typed (undefined: none), or undefined plus the errors shown beside the fields when one is wrong. */
  read(): { ok: true; contact: Contact | undefined } | { ok: false };
  /** Shows the hub's issues for `contact.*` beside their fields; returns the issues left for the form. */
  showIssues(issues: readonly Issue[]): Issue[];
  /** The first field showing an error, to move the focus to. */
  firstInvalid(): HTMLInputElement | undefined;
}

const TYPE: Record<ContactField, { type: string; inputmode?: string; autocomplete: string }> = {
  mobile: { type: 'tel', inputmode: 'tel', autocomplete: 'off' },
  wecom: { type: 'text', autocomplete: 'off' },
  dingtalk: { type: 'text', autocomplete: 'off' },
  feishu: { type: 'text', autocomplete: 'off' },
};

export function contactFields(contact: Contact | undefined): ContactFields {
  const rows = CONTACT_FIELDS.map((name) => {
    const input = h('input', {
      id: uid(`contact-${name}`),
      ...TYPE[name],
      value: contact?.[name] ?? '',
      maxlength: name === 'mobile' ? 20 : 64,
      autocapitalize: 'none',
      spellcheck: 'false',
      'data-testid': `user-contact-${name}`,
    });
    const hintId = `${input.id}-hint`;
    const errorId = `${input.id}-error`;
    const error = h('span', { class: 'field-error', id: errorId, 'data-testid': `user-contact-${name}-error`, 'aria-live': 'polite' });
    input.setAttribute('aria-describedby', `${hintId} ${errorId}`);
    const say = (message: string | undefined) => {
      fill(error, message ?? '');
      if (message) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    };
    input.addEventListener('input', () => say(undefined));
    const el = h('div', { class: 'field' },
      h('label', { for: input.id }, optional(t(`contact.${name}`))),
      input,
      h('span', { class: 'hint', id: hintId }, t(`contact.${name}Hint`)),
      error,
    );
    return { name, input, el, say };
  });

  const value = (name: ContactField, input: HTMLInputElement) => (name === 'mobile' ? normalizeMobile(input.value.trim()) : input.value.trim());

  return {
    el: h('fieldset', { class: 'choices contact-fields', 'data-testid': 'user-contact' },
      h('legend', {}, t('contact.legend')),
      h('p', { class: 'hint' }, t('contact.caption')),
      h('div', { class: 'form-grid' }, ...rows.map((r) => r.el)),
    ),
    read() {
      let ok = true;
      const out: Contact = {};
      for (const { name, input, say } of rows) {
        const typed = value(name, input);
        if (!typed) {
          say(undefined);
          continue;
        }
        if (!CONTACT_PATTERNS[name].test(typed)) {
          say(t(`contact.bad.${name}`));
          ok = false;
          continue;
        }
        say(undefined);
        out[name] = typed;
      }
      if (!ok) return { ok: false };
      return { ok: true, contact: Object.keys(out).length ? out : undefined };
    },
    showIssues(issues) {
      const rest: Issue[] = [];
      for (const issue of issues) {
        const row = rows.find((r) => issue.path === `contact.${r.name}`);
        if (row) row.say(t(`contact.bad.${row.name}`));
        else rest.push(issue);
      }
      return rest;
    },
    firstInvalid: () => rows.find((r) => r.input.getAttribute('aria-invalid') === 'true')?.input,
  };
}

/** Which of a person's channels robots can @mention them on, for tables and the roster: `手机 · 企业微信`, or undefined for none. */
export function contactSummary(contact: Contact | undefined): string | undefined {
  const names = CONTACT_FIELDS.filter((f) => contact?.[f]).map((f) => t(`contact.short.${f}`));
  return names.length ? names.join(' · ') : undefined;
}
