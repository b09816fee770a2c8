/** The shell's top bar: product, the user's pages (compounds by name, administration), connection light, who is logged in, language, logout. */
import type { CompoundSummary, Me } from '../../../src/contracts/live-events.ts';
import { HOLDER_ROLES } from '../../../src/contracts/access.ts';
import { h } from './dom.ts';
import { api } from './api.client.ts';
import { t, tOf } from './i18n.ts';
import { adminLinks } from './admin-routes.ts';

/** 王芳 · 网格员; the name alone when it already says the role (翠苑一区 物业经理). */
export function whoText(user: Pick<Me, 'name' | 'role'>): string {
  const role = tOf('role', user.role);
  return user.name.includes(role) ? user.name : `${user.name} · ${role}`;
}

let compoundNames: Map<string, string> | undefined;
let loading: Promise<Map<string, string>> | undefined;
/** Names of the compounds in scope (`GET /api/compounds`), loaded once per login. */
function namesOfCompounds(): Promise<Map<string, string>> {
  if (compoundNames) return Promise.resolve(compoundNames);
  loading ??= api<{ compounds: CompoundSummary[] }>('GET', '/api/compounds').then(
    ({ compounds }) => (compoundNames = new Map(compounds.map((c) => [c.id, c.name]))),
    () => ((loading = undefined), new Map<string, string>()),
  );
  return loading;
}
export function forgetCompoundNames(): void {
  compoundNames = undefined;
  loading = undefined;
}

export interface TopBarParts {
  home: string;
  conn: HTMLElement;
  notice: HTMLElement;
  switchLang(): void;
  logout(): void;
}

export function topBar(user: Me, parts: TopBarParts): HTMLElement {
  const links: HTMLAnchorElement[] = [];
  const link = (href: string, label: string, compound?: string, testid?: string) => {
    const on = location.hash === href || (href.startsWith('#/admin/') && location.hash.startsWith(`${href}/`));
    links.push(h('a', { href, class: on ? 'on' : undefined, 'aria-current': on ? 'page' : undefined, 'data-compound': compound, 'data-testid': compound ? 'nav-compound' : testid }, label));
  };
  const holder = HOLDER_ROLES.includes(user.role);
  if (!holder) link('#/district', t('nav.district'));
  if (!holder) link('#/desk', t('nav.desk'), undefined, 'nav-desk');
  if (!holder && Array.isArray(user.compounds)) for (const c of user.compounds.slice(0, 8)) link(`#/compound/${c}`, compoundNames?.get(c) ?? c, c);
  if (holder || user.role === 'admin') link('#/worker', t('nav.worker'));
  for (const [href, label] of adminLinks(user)) link(href, label, undefined, `nav-${href.slice('#/admin/'.length)}`);
  link('#/account', t('nav.account'), undefined, 'nav-account');
  void namesOfCompounds().then((names) => {
    for (const a of links) if (a.dataset.compound) a.textContent = names.get(a.dataset.compound) ?? a.dataset.compound;
  });
  return h('header', { class: 'top' },
    h('a', { class: 'brand', href: parts.home }, t('product')),
    h('nav', { 'aria-label': t('nav.label') }, ...links),
    h('span', { class: 'spacer' }),
    parts.conn,
    h('span', { class: 'who', 'data-testid': 'who' }, whoText(user)),
    h('button', { type: 'button', class: 'link', 'data-testid': 'lang-switch', lang: t('lang.code'), onclick: parts.switchLang }, t('lang')),
    h('button', { type: 'button', class: 'link', 'data-testid': 'logout', onclick: parts.logout }, t('logout')),
    parts.notice,
  );
}
