/**
 * The administration pages (#/admin/…): who may open each, its link in the top bar, and the
 * view it mounts. The hub checks every request again; this only keeps people off pages that
 * would refuse them.
 */
import type { Me, Role } from '../../../src/contracts/access.ts';
import { t, type Key } from './i18n.ts';
import { adminUsersView } from './views/admin-users.view.ts';
import { adminDevicesView } from './views/admin-devices.view.ts';
import { adminDocView } from './views/admin-doc.view.ts';
import { adminAuditView } from './views/admin-audit.view.ts';
import { adminPlacesView } from './views/admin-places.view.ts';
import { adminNorthboundView } from './views/admin-northbound.view.ts';
import type { AppContext, View } from './app.types.ts';

interface AdminPage {
  page: string;
  label: Key;
  roles: readonly Role[];
  mount(root: HTMLElement, arg: string | undefined, app: AppContext): View;
}

const PAGES: AdminPage[] = [
  { page: 'devices', label: 'nav.devices', roles: ['admin', 'manager'], mount: (root, arg, app) => adminDevicesView(root, arg, app) },
  { page: 'places', label: 'nav.places', roles: ['admin'], mount: (root, _arg, app) => adminPlacesView(root, app) },
  { page: 'users', label: 'nav.users', roles: ['admin'], mount: (root, _arg, app) => adminUsersView(root, app) },
  { page: 'routing', label: 'nav.routing', roles: ['admin'], mount: (root, _arg, app) => adminDocView(root, 'routing', app) },
  { page: 'rules', label: 'nav.rules', roles: ['admin'], mount: (root, _arg, app) => adminDocView(root, 'rules', app) },
  { page: 'northbound', label: 'nav.northbound', roles: ['admin'], mount: (root, _arg, app) => adminNorthboundView(root, app) },
  { page: 'audit', label: 'nav.audit', roles: ['admin'], mount: (root, _arg, app) => adminAuditView(root, app) },
];

/** [href, label] of the administration pages this user may open. */
export function adminLinks(user: Pick<Me, 'role'>): Array<[string, string]> {
  return PAGES.filter((p) => p.roles.includes(user.role)).map((p) => [`#/admin/${p.page}`, t(p.label)]);
}

/** Mounts `#/admin/{page}/{arg}`; undefined when there is no such page or the user may not open it. */
export function mountAdmin(root: HTMLElement, page: string | undefined, arg: string | undefined, app: AppContext): View | undefined {
  const found = PAGES.find((p) => p.page === page && p.roles.includes(app.me.role));
  return found?.mount(root, arg === undefined || arg === '' ? undefined : decodeURIComponent(arg), app);
}
