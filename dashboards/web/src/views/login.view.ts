/** Log in; and the password change a first-run login is asked for. */
import type { Me } from '../../../../src/contracts/live-events.ts';
import type { LoginAnswer } from '../../../../src/contracts/access.ts';
import { h, fill } from '../dom.ts';
import { dateFormat, t, tIf } from '../i18n.ts';
import { api, ApiError } from '../api.client.ts';
import { errorText } from '../error-text.ts';
import { mfaStep } from './mfa-step.view.ts';

/** `notice`: why the user is here again (their login expired), shown above the form. */
/** `done(me, recoveryCodesLeft)`: logged in; the count of recovery codes left when one was used for it. */
export function loginView(root: HTMLElement, done: (me: Me, recoveryCodesLeft?: number) => void, notice?: string): void {
  const username = h('input', { id: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', 'data-testid': 'login-username' });
  const password = h('input', { id: 'password', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'login-password' });
  const error = h('p', { class: 'error', role: 'alert', 'data-testid': 'login-error' });
  const submit = h('button', { type: 'submit', class: 'primary big', 'data-testid': 'login-submit' }, t('login.submit'));
  let countdown: ReturnType<typeof setInterval> | undefined;
  const form = h('form', {
    class: 'login card',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      fill(error);
      try {
        const answer = await api<LoginAnswer>('POST', '/api/auth/login', { username: username.value.trim(), password: password.value });
        clearInterval(countdown);
        // Two-factor login: the code step completes it; back to this form (with why) if it times out.
        if ('mfaRequired' in answer) return mfaStep(root, done, (why) => loginView(root, done, why));
        done(answer.user);
      } catch (err) {
        if (err instanceof ApiError && err.status === 429 && err.retryAfterSec) {
          let left = err.retryAfterSec;
          // The account is locked (failures in a row, from anywhere): say until when; else this address waits.
          const lockedUntil = err.body.scope === 'account' && typeof err.body.lockedUntil === 'number' ? err.body.lockedUntil : undefined;
          const say = () =>
            (error.textContent = lockedUntil !== undefined ? t('login.locked', { until: dateFormat({ hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(lockedUntil) }) : t('login.limited', { s: left }));
          submit.disabled = true;
          clearInterval(countdown);
          countdown = setInterval(() => {
            left -= 1;
            say();
            if (left <= 0) (clearInterval(countdown), (submit.disabled = false), fill(error));
          }, 1000);
          say();
        } else {
          error.textContent = err instanceof ApiError && err.status === 401 ? t('login.wrong') : errorText(err);
        }
      }
    },
  },
    h('h1', {}, t('product')),
    notice ? h('p', { class: 'login-notice', role: 'alert', 'data-testid': 'login-notice' }, notice) : null,
    h('label', { for: 'username' }, t('login.username')), username,
    h('label', { for: 'password' }, t('login.password')), password,
    error,
    submit,
  );
  fill(root, h('div', { class: 'center' }, form));
  username.focus();
}

export function passwordView(root: HTMLElement, done: () => void): void {
  const current = h('input', { id: 'current', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'password-current' });
  const next = h('input', { id: 'next', type: 'password', autocomplete: 'new-password', required: true, minlength: 12, 'data-testid': 'password-next' });
  const error = h('p', { class: 'error', role: 'alert' });
  fill(root, h('div', { class: 'center' }, h('form', {
    class: 'login card',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      try {
        await api('POST', '/api/auth/password', { current: current.value, next: next.value });
        done();
      } catch (err) {
        if (err instanceof ApiError && err.code === 'FORBIDDEN') error.textContent = t('password.wrong');
        // Which rule of the policy it breaks, in the user's language.
        else if (err instanceof ApiError && err.code === 'PASSWORD_WEAK') error.textContent = tIf('password.weak', String(err.params.reason), { min: err.params.min ?? 12 }) ?? errorText(err);
        else error.textContent = errorText(err);
      }
    },
  },
    h('h1', {}, t('password.title')),
    h('label', { for: 'current' }, t('password.current')), current,
    h('label', { for: 'next' }, t('password.next')), next,
    error,
    h('button', { type: 'submit', class: 'primary big', 'data-testid': 'password-submit' }, t('password.submit')),
  )));
}
