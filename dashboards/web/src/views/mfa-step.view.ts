/**
 * The second step of a login with two-factor login on: the 6-digit code from the authenticator app
 * (`autocomplete="one-time-code"`, a numeric keypad on phones), or one of the recovery codes. The
 * password step left a pending login (an HttpOnly cookie, 5 minutes); this completes it.
 */
import type { Me } from '../../../../src/contracts/live-events.ts';
import type { MfaLoginAnswer } from '../../../../src/contracts/access.ts';
import { h, fill } from '../dom.ts';
import { dateFormat, t } from '../i18n.ts';
import { api, ApiError } from '../api.client.ts';
import { errorText } from '../error-text.ts';

/** `done(me, recoveryCodesLeft)`: logged in (the count when a recovery code was used); `back(notice)`: to the password step. */
export function mfaStep(root: HTMLElement, done: (me: Me, recoveryCodesLeft?: number) => void, back: (notice?: string) => void): void {
  let recovery = false;
  const code = h('input', {
    id: 'mfa-code', autocomplete: 'one-time-code', inputmode: 'numeric', pattern: '[0-9 ]{6,7}', maxlength: 7, required: true,
    autocapitalize: 'none', spellcheck: 'false', 'aria-describedby': 'mfa-hint', 'data-testid': 'mfa-code',
  });
  const label = h('label', { for: 'mfa-code' }, t('mfa.login.code'));
  const hint = h('p', { id: 'mfa-hint', class: 'muted' }, t('mfa.login.hint'));
  const error = h('p', { class: 'error', role: 'alert', 'data-testid': 'mfa-error' });
  const submit = h('button', { type: 'submit', class: 'primary big', 'data-testid': 'mfa-submit' }, t('mfa.login.submit'));
  const toggle = h('button', { type: 'button', class: 'link', 'data-testid': 'mfa-use-recovery', onclick: () => switchTo(!recovery) }, t('mfa.login.useRecovery'));
  const switchTo = (useRecovery: boolean) => {
    recovery = useRecovery;
    code.value = '';
    fill(error);
    label.textContent = t(recovery ? 'mfa.login.recovery' : 'mfa.login.code');
    hint.textContent = t(recovery ? 'mfa.login.recoveryHint' : 'mfa.login.hint');
    toggle.textContent = t(recovery ? 'mfa.login.useCode' : 'mfa.login.useRecovery');
    if (recovery) {
      code.setAttribute('autocomplete', 'off');
      code.setAttribute('inputmode', 'text');
      code.removeAttribute('pattern');
      code.setAttribute('maxlength', '40');
    } else {
      code.setAttribute('autocomplete', 'one-time-code');
      code.setAttribute('inputmode', 'numeric');
      code.setAttribute('pattern', '[0-9 ]{6,7}');
      code.setAttribute('maxlength', '7');
    }
    code.focus();
  };
  const form = h('form', {
    class: 'login card',
    'aria-labelledby': 'mfa-title',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      fill(error);
      submit.disabled = true;
      try {
        const value = code.value.trim();
        const answer = await api<MfaLoginAnswer>('POST', '/api/auth/login/mfa', recovery ? { recoveryCode: value } : { code: value.replace(/\s+/g, '') });
        done(answer.user, answer.recoveryCodesLeft);
        return;
      } catch (err) {
        if (err instanceof ApiError && err.code === 'MFA_LOGIN_EXPIRED') return back(t('mfa.login.expired'));
        if (err instanceof ApiError && err.status === 429) {
          const until = typeof err.body.lockedUntil === 'number' ? err.body.lockedUntil : Date.now() + (err.retryAfterSec ?? 60) * 1000;
          error.textContent = err.body.scope === 'account' ? t('login.locked', { until: dateFormat({ hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(until) }) : t('login.limited', { s: err.retryAfterSec ?? 60 });
        } else if (err instanceof ApiError && err.code === 'MFA_CODE_INVALID') {
          error.textContent = t(recovery ? 'mfa.login.wrongRecovery' : 'mfa.login.wrong');
          code.select();
        } else error.textContent = errorText(err);
      }
      submit.disabled = false;
    },
  },
    h('h1', { id: 'mfa-title' }, t('mfa.login.title')),
    hint,
    label, code,
    error,
    submit,
    h('div', { class: 'row mfa-links' },
      toggle,
      h('button', { type: 'button', class: 'link', 'data-testid': 'mfa-back', onclick: () => back() }, t('mfa.login.back')),
    ),
  );
  fill(root, h('div', { class: 'center' }, form));
  code.focus();
}
