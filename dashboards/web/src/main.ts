/**
 * The dashboards' shell: login, a top bar (who, language, connection, logout) and hash routes
 * to the view for each role: #/compound/:id (manager), #/worker (grid worker), #/district, and
 * the administration pages #/admin/… (admin-routes.ts). It is also the installable worker app:
 * a service worker keeps the shell for offline use (sw-register.ts), and a worker whose hub
 * cannot be reached gets their last known list (worker-copy.ts) until it answers again.
 */
import './styles.css';
import './admin.css';
import type { Me } from '../../../src/contracts/live-events.ts';
import { HOLDER_ROLES } from '../../../src/contracts/access.ts';
import { h, fill } from './dom.ts';
import { currentLang, setLang, t } from './i18n.ts';
import { api, ApiError, whenUnauthorized } from './api.client.ts';
import { loginView, passwordView } from './views/login.view.ts';
import { compoundView } from './views/compound.view.ts';
import { workerView } from './views/worker.view.ts';
import { districtView } from './views/district.view.ts';
import { alertDeskView } from './views/alert-desk.view.ts';
import { accountView } from './views/account.view.ts';
import { forgetCompoundNames, topBar } from './top-bar.ts';
import { mountAdmin } from './admin-routes.ts';
import type { AppContext, View } from './app.types.ts';
import { registerAppWorker } from './sw-register.ts';
import { showUpdateBar } from './update-bar.ts';
import { listenForOpenedAlerts } from './open-alert.ts';
import { dropWorkerCopy, workerCopy } from './worker-copy.ts';

const app = document.getElementById('app')!;
let me: Me | undefined;
let view: View | undefined;
/** Recovery codes left after a login with one: the account page says so once. */
let recoveredWith: number | undefined;

function home(user: Me): string {
  // A grid worker, and a department member (what was handed over to it), work from the phone view.
  if (HOLDER_ROLES.includes(user.role)) return '#/worker';
  if ((user.role === 'manager' || user.role === 'committee') && Array.isArray(user.compounds) && user.compounds[0]) return `#/compound/${user.compounds[0]}`;
  return '#/district';
}

/** Back to the login page; `notice` says why (a login that expired). */
function showLogin(notice?: string): void {
  view?.dispose();
  view = undefined;
  me = undefined;
  forgetCompoundNames();
  // The login ended: what the worker view kept of it goes too.
  dropWorkerCopy();
  if (location.hash !== '#/login') history.replaceState(null, '', '#/login');
  loginView(app, (user, recoveryCodesLeft) => {
    me = user;
    // Logged in with a recovery code: the account page, to say how many are left and offer new ones.
    recoveredWith = recoveryCodesLeft;
    // (replaceState: no hashchange to draw the page a second time without the notice.)
    if (recoveryCodesLeft !== undefined) history.replaceState(null, '', '#/account');
    else location.hash = home(user);
    route();
  }, notice);
}
// A request refused as not logged in while someone was: their login ended.
whenUnauthorized(() => showLogin(me ? t('login.expired') : undefined));

function logout(): void {
  // The view goes first: its socket must not take the session's end for an expiry.
  view?.dispose();
  view = undefined;
  void api('POST', '/api/auth/logout').catch(() => undefined).finally(() => showLogin());
}

function route(): void {
  if (!me) return showLogin();
  const user = me;
  if (user.mustChangePassword) {
    return passwordView(app, () => {
      user.mustChangePassword = false;
      route();
    });
  }
  view?.dispose();
  view = undefined;
  const conn = h('span', { class: 'conn', role: 'status', 'data-testid': 'conn-status', 'data-state': 'offline' }, t('conn.offline'));
  const notice = h('div', { class: 'notice-bar', role: 'status', 'aria-live': 'polite', 'data-testid': 'notice' });
  // Said at once to a screen reader, not shown: new critical alerts.
  const urgent = h('div', { class: 'visually-hidden', role: 'alert', 'aria-live': 'assertive', 'data-testid': 'announcer' });
  const main = h('main', { id: 'main', tabindex: -1 });
  // The first stop of the keyboard: past the top bar to the view.
  const skip = h('a', { class: 'skip-link', href: '#main', 'data-testid': 'skip-link', onclick: (e: Event) => (e.preventDefault(), main.focus()) }, t('skip.toContent'));
  const switchLang = () => (setLang(currentLang() === 'zh' ? 'en' : 'zh'), route());
  fill(app, skip, topBar(user, { home: home(user), conn, notice, switchLang, logout }), main, urgent);
  let noticeTimer: ReturnType<typeof setTimeout> | undefined;
  const ctx: AppContext = {
    me: user,
    report: (message) => {
      notice.textContent = message;
      clearTimeout(noticeTimer);
      noticeTimer = setTimeout(() => notice.textContent === message && (notice.textContent = ''), 8000);
    },
    announce: (message) => {
      // A change of text is what a screen reader says: clear first, so the same words twice are said twice.
      urgent.textContent = '';
      requestAnimationFrame(() => (urgent.textContent = message));
    },
    connection: (online) => {
      conn.dataset.state = online ? 'online' : 'offline';
      conn.textContent = online ? t('conn.online') : t('conn.offline');
    },
    loggedOut: showLogin,
  };
  // `#/district?kiosk=1`: what follows `?` is the view's own.
  const [, page, arg, arg2] = location.hash.split('?')[0]!.split('/');
  // MFA=required and no second factor yet: only the account page, until it is set up.
  const mustEnrol = Boolean(user.mfa?.required && !user.mfa.enabled);
  if (page === 'account' || mustEnrol) {
    conn.hidden = true;
    if (page !== 'account') history.replaceState(null, '', '#/account');
    const shown = recoveredWith;
    recoveredWith = undefined;
    view = accountView(main, ctx, (mfa) => {
      user.mfa = mfa;
      // Enrolled now: the rest opens (the shell is drawn again on the next navigation).
      if (mustEnrol && mfa.enabled) forgetCompoundNames();
    }, shown);
  } else if (page === 'admin') {
    // Administration pages hold no live socket: no connection light.
    conn.hidden = true;
    view = mountAdmin(main, arg, arg2, ctx);
    if (!view) location.replace(home(user));
  } else if (page === 'compound' && arg) view = compoundView(main, decodeURIComponent(arg), ctx);
  else if (page === 'worker') view = workerView(main, ctx, arg ? decodeURIComponent(arg) : undefined);
  else if (page === 'district' && !HOLDER_ROLES.includes(user.role)) view = districtView(main, ctx);
  else if (page === 'desk' && !HOLDER_ROLES.includes(user.role)) view = alertDeskView(main, ctx, arg ? decodeURIComponent(arg) : undefined);
  else {
    location.replace(home(user));
    return;
  }
}

registerAppWorker(showUpdateBar);
listenForOpenedAlerts();
window.addEventListener('hashchange', () => me && route());
// Logged in already? (Answered without a 401 either way: no error in the console of a fresh browser.)
api<{ user: Me | null }>('GET', '/api/auth/session').then(
  ({ user }) => {
    if (!user) return showLogin();
    me = user;
    route();
  },
  (error: unknown) => {
    // The hub cannot be reached (no answer, or a proxy's 5xx; not a refusal): a worker's app opens on the list it kept.
    const unreachable = !(error instanceof ApiError) || error.status >= 500;
    const kept = unreachable ? workerCopy() : undefined;
    if (!kept) return showLogin();
    me = kept.me;
    if (!location.hash.startsWith('#/worker')) history.replaceState(null, '', '#/worker');
    route();
  },
);
