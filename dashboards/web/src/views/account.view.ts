/**
 * #/account: the login's own security page: two-factor login (TOTP). Turning it on shows a QR
 * code and the key for typing in by hand, is confirmed with a code from the app, and then shows the
 * ten recovery codes once (to print or copy). When on: the recovery codes left, new ones (with a
 * code), turning it off (password and code; not when the policy requires it for the role). Under
 * `MFA=required` an admin or manager who has not enrolled is held on this page until they do.
 */
import '../mfa.css';
import type { MfaEnrolmentAnswer, MfaStatus, RecoveryCodesAnswer } from '../../../../src/contracts/access.ts';
import { h, fill } from '../dom.ts';
import { t, tOf } from '../i18n.ts';
import { api, ApiError } from '../api.client.ts';
import { errorText } from '../error-text.ts';
import { copyButton, secretValue } from '../once-panel.ts';
import { svgFromMarkup } from '../svg-markup.ts';
import type { AppContext, View } from '../app.types.ts';

let fieldIds = 0;
/** A labelled input (a code from the app, or the password). */
function field(kind: 'code' | 'password' | 'any-code', labelText: string, testid: string): { label: HTMLLabelElement; input: HTMLInputElement } {
  const id = `mfa-field-${++fieldIds}`;
  const input =
    kind === 'password'
      ? h('input', { id, type: 'password', autocomplete: 'current-password', required: true, 'data-testid': testid })
      : h('input', { id, class: 'code', autocomplete: 'one-time-code', inputmode: kind === 'code' ? 'numeric' : 'text', required: true, maxlength: kind === 'code' ? 7 : 40, autocapitalize: 'none', spellcheck: 'false', 'data-testid': testid });
  return { label: h('label', { for: id }, labelText), input };
}

/** `changed(status)`: the two-factor state changed (the shell keeps `me.mfa` up to date and lets the user on when enrolled). */
export function accountView(root: HTMLElement, ctx: AppContext, changed: (mfa: MfaStatus) => void, recoveryCodesLeft?: number): View {
  let disposed = false;
  const host = h('section', { class: 'account', 'aria-labelledby': 'account-title' });
  const heading = h('h1', { id: 'account-title', tabindex: -1 }, t('mfa.title'));
  const body = h('div', {});
  const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite', 'data-testid': 'mfa-status' });
  fill(host, heading, recoveryCodesLeft !== undefined ? h('p', { class: 'mfa-policy', role: 'alert', 'data-testid': 'mfa-recovery-used' }, t('mfa.recoveryUsed', { n: recoveryCodesLeft })) : null, body, status);
  fill(root, host);

  const roleName = () => tOf('role', ctx.me.role);

  const overview = (mfa: MfaStatus) => {
    if (disposed) return;
    const error = h('p', { class: 'error', role: 'alert' });
    const parts: Array<Node | null> = [
      h('h2', {}, t('mfa.section')),
      h('p', { class: 'mfa-state', 'data-state': mfa.enabled ? 'on' : 'off', 'data-testid': 'mfa-state' }, t(mfa.enabled ? 'mfa.state.on' : 'mfa.state.off')),
      mfa.required ? h('p', { class: 'mfa-policy', 'data-testid': 'mfa-policy' }, t(mfa.enabled ? 'mfa.requiredOn' : 'mfa.required', { role: roleName() })) : null,
    ];
    if (!mfa.enabled) {
      const start: HTMLButtonElement = h('button', {
        type: 'button', class: 'primary big', 'data-testid': 'mfa-start',
        onclick: async () => {
          start.disabled = true;
          try {
            enrol(await api<MfaEnrolmentAnswer>('POST', '/api/auth/mfa/start'));
          } catch (err) {
            error.textContent = errorText(err);
            start.disabled = false;
          }
        },
      }, t('mfa.start'));
      parts.push(start, error);
    } else {
      parts.push(h('p', { 'data-testid': 'mfa-left' }, t(mfa.recoveryCodesLeft <= 3 ? 'mfa.leftLow' : 'mfa.left', { n: mfa.recoveryCodesLeft })));
      // New recovery codes: a code from the app proves the phone.
      const regen = field('code', t('mfa.login.code'), 'mfa-regen-code');
      const regenError = h('p', { class: 'error', role: 'alert' });
      parts.push(h('details', { class: 'panel' },
        h('summary', {}, t('mfa.regenerate')),
        h('form', {
          onsubmit: async (e: Event) => {
            e.preventDefault();
            try {
              const answer = await api<RecoveryCodesAnswer>('POST', '/api/auth/mfa/recovery-codes', { code: regen.input.value.replace(/\s+/g, '') });
              changed(answer.mfa);
              showCodes(answer.recoveryCodes, answer.mfa);
            } catch (err) {
              regenError.textContent = err instanceof ApiError && err.code === 'MFA_CODE_INVALID' ? t('mfa.login.wrong') : errorText(err);
            }
          },
        }, h('p', {}, t('mfa.regenerateHint')), regen.label, regen.input, regenError, h('button', { type: 'submit', 'data-testid': 'mfa-regen-submit' }, t('mfa.regenerateSubmit'))),
      ));
      if (!mfa.required) {
        const password = field('password', t('mfa.password'), 'mfa-disable-password');
        const code = field('any-code', `${t('mfa.login.code')} / ${t('mfa.login.recovery')}`, 'mfa-disable-code');
        const offError = h('p', { class: 'error', role: 'alert' });
        parts.push(h('details', { class: 'panel' },
          h('summary', {}, t('mfa.disable')),
          h('form', {
            onsubmit: async (e: Event) => {
              e.preventDefault();
              const value = code.input.value.trim();
              const answer = /^[\d\s]{6,7}$/.test(value) ? { code: value.replace(/\s+/g, '') } : { recoveryCode: value };
              try {
                const done = await api<{ mfa: MfaStatus }>('POST', '/api/auth/mfa/disable', { password: password.input.value, ...answer });
                changed(done.mfa);
                status.textContent = t('mfa.disabledDone');
                overview(done.mfa);
              } catch (err) {
                offError.textContent = err instanceof ApiError && err.code === 'FORBIDDEN' ? t('mfa.passwordWrong') : err instanceof ApiError && err.code === 'MFA_CODE_INVALID' ? t('mfa.login.wrong') : errorText(err);
              }
            },
          }, h('p', {}, t('mfa.disableHint')), password.label, password.input, code.label, code.input, offError, h('button', { type: 'submit', class: 'danger', 'data-testid': 'mfa-disable-submit' }, t('mfa.disableSubmit'))),
        ));
      }
    }
    fill(body, h('div', { class: 'panel', 'data-testid': 'mfa-panel' }, ...parts));
  };

  const enrol = ({ secret, qrSvg }: MfaEnrolmentAnswer) => {
    const code = field('code', t('mfa.confirmCode'), 'mfa-confirm-code');
    // The password again: a session left open elsewhere cannot bind someone else's phone.
    const password = field('password', t('mfa.password'), 'mfa-confirm-password');
    const error = h('p', { class: 'error', role: 'alert', 'data-testid': 'mfa-confirm-error' });
    const title = h('h2', { tabindex: -1 }, t('mfa.section'));
    fill(body, h('div', { class: 'panel', 'data-testid': 'mfa-enrol' },
      title,
      h('p', {}, t('mfa.scan')),
      // The hub's QR code (the one it will print too); unreadable markup leaves the key below.
      svgFromMarkup(qrSvg, { class: 'mfa-qr', role: 'img', 'aria-label': t('mfa.qrLabel'), 'shape-rendering': 'crispEdges', 'data-testid': 'mfa-qr' })
        ?? h('p', { class: 'error', 'data-testid': 'mfa-qr-missing' }, t('mfa.qrMissing')),
      h('p', {}, t('mfa.manual')),
      h('p', { class: 'mfa-secret' }, secretValue(secret, t('mfa.manualWhat'), status, 'mfa-secret')),
      h('form', {
        onsubmit: async (e: Event) => {
          e.preventDefault();
          fill(error);
          try {
            const answer = await api<RecoveryCodesAnswer>('POST', '/api/auth/mfa/confirm', { password: password.input.value, code: code.input.value.replace(/\s+/g, '') });
            changed(answer.mfa);
            status.textContent = t('mfa.enabledDone');
            showCodes(answer.recoveryCodes, answer.mfa);
          } catch (err) {
            const wrongPassword = err instanceof ApiError && err.code === 'FORBIDDEN';
            error.textContent = err instanceof ApiError && err.code === 'MFA_CODE_INVALID' ? t('mfa.wrongConfirm') : wrongPassword ? t('mfa.passwordWrong') : errorText(err);
            (wrongPassword ? password : code).input.select();
          }
        },
      }, code.label, code.input, password.label, password.input, error,
        h('div', { class: 'row' },
          h('button', { type: 'submit', class: 'primary', 'data-testid': 'mfa-confirm' }, t('mfa.confirm')),
          h('button', { type: 'button', 'data-testid': 'mfa-cancel', onclick: () => void load() }, t('mfa.cancel')),
        )),
    ));
    title.focus();
  };

  /** The recovery codes, shown once: print, copy, then back to the overview. */
  const showCodes = (codes: string[], mfa: MfaStatus) => {
    const title = h('h2', { tabindex: -1 }, t('mfa.codesTitle'));
    fill(body, h('div', { class: 'panel once', 'data-testid': 'mfa-codes-panel' },
      title,
      h('p', { class: 'once-warning' }, t('mfa.codesIntro')),
      h('ol', { class: 'mfa-codes', 'data-testid': 'mfa-recovery-codes' }, ...codes.map((c) => h('li', {}, h('code', {}, c)))),
      h('div', { class: 'row mfa-no-print' },
        h('button', { type: 'button', 'data-testid': 'mfa-print', onclick: () => window.print() }, t('mfa.print')),
        copyButton(codes.join('\n'), t('mfa.codesWhat'), status, 'mfa-codes-copy'),
        h('button', { type: 'button', class: 'primary', 'data-testid': 'mfa-codes-done', onclick: () => (overview(mfa), heading.focus()) }, t('mfa.codesDone')),
      ),
    ));
    title.focus();
  };

  const load = async () => {
    try {
      overview((await api<{ mfa: MfaStatus }>('GET', '/api/auth/mfa')).mfa);
    } catch (err) {
      if (!disposed) fill(body, h('p', { class: 'error', role: 'alert' }, errorText(err)));
    }
  };
  void load();
  heading.focus();
  return { dispose: () => void (disposed = true) };
}
