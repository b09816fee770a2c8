/**
 * Silence an alert from its card: that rule on that device, for 30 min … 24 h, with a reason
 * (prefilled with the alert's name). Confirmed in the notice bar with until when. An incident
 * (no device of its own) silences its members' rules in the compound (silenceTargets): the form
 * says so before it is sent.
 */
import type { Alert } from '../../../src/contracts/live-events.ts';
import { h, fill } from './dom.ts';
import { duration, t, until } from './i18n.ts';
import { errorText } from './error-text.ts';
import { formError } from './note-form.ts';
import { alertName, loadRuleNames } from './rule-names.ts';
import { silenceWhat } from './silence-text.ts';
import { silenceTargets, type SilenceList } from './silences.ts';

const CHOICES_MIN = [30, 120, 480, 1440] as const;
const DEFAULT_MIN = 120;

/** `names`: the alert's device and compound for people. */
export function openSilenceForm(forms: HTMLElement, alert: Alert, names: { device: string; compound?: string | undefined }, silences: SilenceList, report: (message: string) => void): void {
  const targets = silenceTargets(alert);
  const compoundName = (id: string) => (id === alert.compound && names.compound) || id;
  const what = (made: Array<Parameters<typeof silenceWhat>[0]>) => made.map((m) => silenceWhat(m, () => names.device, compoundName)).join(t('incident.listSep'));
  // What an incident's silence covers, before it is sent (it is wider than its devices), with the rules by name (the worker view loads none).
  const scope = alert.incident ? h('p', { class: 'muted', 'data-testid': 'silence-scope' }) : null;
  const sayScope = () => scope && (scope.textContent = t('incident.silenceScope', { what: what(targets.map(({ device, ...rest }) => (device ? { ...rest, deviceKey: device } : rest))) }));
  sayScope();
  if (scope) loadRuleNames(sayScope);
  const reasonId = `silence-reason-${alert.id}`;
  const reason = h('input', { id: reasonId, value: alertName(alert), required: true, maxlength: 500, 'data-testid': 'silence-reason' });
  const choices = CHOICES_MIN.map((min) =>
    h('label', { class: 'choice' },
      h('input', { type: 'radio', name: `silence-min-${alert.id}`, value: min, checked: min === DEFAULT_MIN, 'data-testid': `silence-${min}` }),
      ` ${duration(min * 60_000)}`,
    ),
  );
  const error = formError('silence');
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'silence-submit' }, t('act.silence'));
  const cancel = () => fill(forms);
  fill(forms, h('form', {
    class: 'note-form',
    'data-testid': 'silence-form',
    'aria-label': t('silence.title'),
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const picked = choices.map((c) => c.querySelector('input')!).find((i) => i.checked);
      if (!reason.value.trim() || !picked) return;
      submit.disabled = true;
      try {
        const made = [];
        for (const target of targets) made.push(await silences.create({ ...target, reason: reason.value.trim(), durationMin: Number(picked.value) }));
        fill(forms);
        report(t(made.every((m) => m.merged) ? 'silence.merged' : 'silence.done', { what: what(made), until: until(Math.min(...made.map((m) => m.until))) }));
      } catch (err) {
        error.textContent = errorText(err);
        submit.disabled = false;
        // Back in the form (the disabled button lost the focus).
        submit.focus();
      }
    },
    onkeydown: (e: Event) => (e as KeyboardEvent).key === 'Escape' && cancel(),
  },
    scope,
    h('fieldset', { class: 'choices' }, h('legend', {}, t('silence.duration')), ...choices),
    h('label', { for: reasonId }, t('silence.reason')),
    reason,
    error,
    h('div', { class: 'row' }, submit, h('button', { type: 'button', onclick: cancel }, t('act.cancel'))),
  ));
  choices[CHOICES_MIN.indexOf(DEFAULT_MIN)]?.querySelector('input')?.focus();
}
