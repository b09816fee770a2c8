/**
 * The dashboards' shell: login, a top bar (who, language, connection, logout) and hash routes
 * to the view for each role: #/compound/:id (manager), #/worker (grid worker), #/district.
 */
import './styles.css';
import type { Me } from '../../../src/contracts/live-events.ts';
import { h, fill } from './dom.ts';
import { currentLang, setLang, t, tOf } from './i18n.ts';
import { api, whenUnauthorized } from './api.client.ts';
import { loginView, passwordView } from './views/login.view.ts';
import { compoundView } from './views/compound.view.ts';
import { workerView } from './views/worker.view.ts';
import { districtView } from './views/district.view.ts';
import type { AppContext, View } from './app.types.ts';

const app = document.getElementById('app')!;
let me: Me | undefined;
let view: View | undefined;

function home(user: Me): string {
  if (user.role === 'worker') return '#/worker';
  if (user.role === 'manager' && Array.isArray(user.compounds) && user.compounds[0]) return `#/compound/${user.compounds[0]}`;
  return '#/district';
}

function showLogin(): void {
  view?.dispose();
  view = undefined;
  me = undefined;
  if (location.hash !== '#/login') history.replaceState(null, '', '#/login');
  loginView(app, (user) => {
    me = user;
    location.hash = home(user);
    route();
  });
}
whenUnauthorized(showLogin);

function topBar(user: Me, conn: HTMLElement, notice: HTMLElement): HTMLElement {
  const links: Array<[string, string]> = [];
  if (user.role !== 'worker') links.push(['#/district', t('nav.district')]);
  if (Array.isArray(user.compounds)) for (const c of user.compounds.slice(0, 8)) if (user.role !== 'worker') links.push([`#/compound/${c}`, c]);
  if (user.role === 'worker' || user.role === 'admin') links.push(['#/worker', t('nav.worker')]);
  return h('header', { class: 'top' },
    h('a', { class: 'brand', href: home(user) }, t('product')),
    h('nav', {}, ...links.map(([href, label]) => h('a', { href, class: location.hash === href ? 'on' : undefined }, label))),
    h('span', { class: 'spacer' }),
    conn,
    h('span', { class: 'who' }, `${user.name} · ${tOf('role', user.role)}`),
    h('button', { class: 'link', 'data-testid': 'lang-switch', onclick: () => (setLang(currentLang() === 'zh' ? 'en' : 'zh'), route()) }, t('lang')),
    h('button', { class: 'link', 'data-testid': 'logout', onclick: () => void api('POST', '/api/auth/logout').finally(showLogin) }, t('logout')),
    notice,
  );
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
  const conn = h('span', { class: 'conn', 'data-testid': 'conn-status', 'data-state': 'offline' }, t('conn.offline'));
  const notice = h('div', { class: 'notice-bar', role: 'status' });
  const main = h('main', {});
  fill(app, topBar(user, conn, notice), main);
  const ctx: AppContext = {
    me: user,
    report: (message) => {
      notice.textContent = message;
      setTimeout(() => notice.textContent === message && (notice.textContent = ''), 6000);
    },
    connection: (online) => {
      conn.dataset.state = online ? 'online' : 'offline';
      conn.textContent = online ? t('conn.online') : t('conn.offline');
    },
    loggedOut: showLogin,
  };
  const [, page, arg] = location.hash.split('/');
  if (page === 'compound' && arg) view = compoundView(main, decodeURIComponent(arg), ctx);
  else if (page === 'worker') view = workerView(main, ctx);
  else if (page === 'district' && user.role !== 'worker') view = districtView(main, ctx);
  else {
    location.replace(home(user));
    return;
  }
}

window.addEventListener('hashchange', () => me && route());
api<{ user: Me }>('GET', '/api/auth/me').then(
  ({ user }) => {
    me = user;
    route();
  },
  () => showLogin(),
);
