/**
 * Logins (#/admin/users, admin): who can log in, as what, over which compounds or grids, which
 * channels can @mention them, and whether they are active. Create (the one-time password shown
 * once), edit, disable or enable, reset the password (shown once).
 */
import type { AdminUser, CreatedUserAnswer, NewUserBody, UserPatch, UsersAnswer } from '../../../../src/contracts/admin.ts';
import { h, fill } from '../dom.ts';
import { t, tOf, until } from '../i18n.ts';
import { api } from '../api.client.ts';
import { errorText } from '../error-text.ts';
import { dataTable, refocusRow } from '../data-table.ts';
import { confirmedStep } from '../confirm-dialog.ts';
import { focusHeading } from '../form-kit.ts';
import { secretValue, showOnce } from '../once-panel.ts';
import { gridLabel, loadGrids, loadPlaces, nameList, type GridInfo, type Places } from '../admin-places.ts';
import { userForm } from '../user-form.ts';
import { contactSummary } from '../contact-fields.ts';
import type { AppContext, View } from '../app.types.ts';

const who = (u: Pick<AdminUser, 'id' | 'name'>) => u.name ?? u.id;

function scopeText(u: AdminUser, places: Places, grids: GridInfo[]): string {
  if (u.role === 'admin') return t('users.allCompounds');
  if (u.role === 'worker') {
    // The login's grids, else the grids routing calls them for.
    const mine = u.grids?.length ? u.grids : grids.filter((g) => g.workers.includes(u.id)).map((g) => g.id);
    return nameList(mine.map((g) => gridLabel(g, grids, places))) || '—';
  }
  if (u.role === 'viewer' && !u.compounds) return t('users.allCompounds');
  return nameList((u.compounds ?? []).map(places.compoundName)) || '—';
}

/** Which channels can @mention them; a worker without any is marked (robots cannot reach them). */
function contactCell(u: AdminUser): HTMLElement | string {
  const summary = contactSummary(u.contact);
  if (summary) return h('span', { 'data-testid': 'user-contact-summary' }, summary);
  return u.role === 'worker' ? h('span', { class: 'badge off', 'data-testid': 'user-contact-missing' }, t('contact.missing')) : '—';
}

function stateBadges(u: AdminUser): HTMLElement[] {
  const badges = [u.disabled ? h('span', { class: 'badge off' }, t('users.disabled')) : h('span', { class: 'badge ok' }, t('users.active'))];
  if (u.mustChangePassword) badges.push(h('span', { class: 'badge' }, t('users.mustChange')));
  if (u.lockedUntil) badges.push(h('span', { class: 'badge off', 'data-testid': 'user-locked' }, t('users.locked', { until: until(u.lockedUntil), n: u.failedLogins ?? 0 })));
  if (u.mfaEnabled) badges.push(h('span', { class: 'badge ok', 'data-testid': 'user-mfa' }, t('mfa.admin.on')));
  return badges;
}

export function adminUsersView(root: HTMLElement, app: AppContext): View {
  const onceHost = h('div');
  const formHost = h('div');
  const tableHost = h('div', {}, h('p', { class: 'muted' }, t('adm.loading')));
  const newButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'users-new', onclick: () => openForm() }, t('users.new'));
  fill(root, h('div', { class: 'view-head' }, h('h1', {}, t('users.title')), newButton), onceHost, formHost, tableHost);

  let users: AdminUser[] = [];
  let places: Places | undefined;
  let grids: GridInfo[] = [];

  const showPassword = (user: AdminUser, password: string) =>
    showOnce(onceHost, t('users.passwordTitle', { who: who(user) }), (status) => [
      h('p', {}, t('users.passwordHint')),
      h('p', { class: 'secret-line' }, `${t('users.password')}: `, secretValue(password, t('users.password'), status, 'once-password')),
    ], 'user-password-panel');

  const closeForm = () => (fill(formHost), newButton.focus());
  function openForm(user?: AdminUser): void {
    if (!places) return;
    fill(onceHost);
    fill(formHost, userForm({
      user,
      places,
      grids,
      cancel: closeForm,
      save: async (body) => {
        if (user) {
          await api<{ user: AdminUser }>('PATCH', `/api/admin/users/${encodeURIComponent(user.id)}`, body as UserPatch);
          app.report(t('users.updated', { who: who({ id: user.id, name: body.name }) }));
          fill(formHost);
          await reload();
          return refocusRow(tableHost, rowOf(user), ['user-edit']);
        } else {
          const made = await api<CreatedUserAnswer>('POST', '/api/admin/users', body as NewUserBody);
          fill(formHost);
          app.report(t('users.created', { who: who(made.user) }));
          showPassword(made.user, made.password);
        }
        await reload();
      },
    }));
    focusHeading(formHost.firstElementChild as HTMLElement);
  }

  const rowOf = (u: AdminUser) => `[data-user-id="${CSS.escape(u.id)}"]`;
  const step = (button: HTMLButtonElement, question: string, confirmLabel: string, work: () => Promise<void>) =>
    confirmedStep(button, question, confirmLabel, work, (error) => app.report(errorText(error)));

  const toggle = (u: AdminUser, button: HTMLButtonElement) =>
    step(button, t(u.disabled ? 'users.confirmEnable' : 'users.confirmDisable', { who: who(u) }), u.disabled ? t('users.enable') : t('users.disable'), async () => {
      await api('PATCH', `/api/admin/users/${encodeURIComponent(u.id)}`, { disabled: !u.disabled } satisfies UserPatch);
      app.report(t(u.disabled ? 'users.enabledDone' : 'users.disabledDone', { who: who(u) }));
      await reload();
      refocusRow(tableHost, rowOf(u), ['user-enable', 'user-disable']);
    });

  const reset = (u: AdminUser, button: HTMLButtonElement) =>
    step(button, t('users.confirmReset', { who: who(u) }), t('users.reset'), async () => {
      const { password } = await api<{ password: string }>('POST', `/api/admin/users/${encodeURIComponent(u.id)}/reset-password`);
      fill(formHost);
      showPassword(u, password);
      await reload();
    });

  const unlock = (u: AdminUser, button: HTMLButtonElement) =>
    step(button, t('users.confirmUnlock', { who: who(u) }), t('users.unlock'), async () => {
      await api('POST', `/api/admin/users/${encodeURIComponent(u.id)}/unlock`);
      app.report(t('users.unlockedDone', { who: who(u) }));
      await reload();
      refocusRow(tableHost, rowOf(u), ['user-edit']);
    });

  // A lost phone: the login's second factor goes, its sessions end; it sets one up again at the next login.
  const resetMfa = (u: AdminUser, button: HTMLButtonElement) =>
    step(button, t('mfa.admin.confirmReset', { who: who(u) }), t('mfa.admin.reset'), async () => {
      await api('POST', `/api/admin/users/${encodeURIComponent(u.id)}/mfa/reset`);
      app.report(t('mfa.admin.resetDone', { who: who(u) }));
      await reload();
      refocusRow(tableHost, rowOf(u), ['user-edit']);
    });

  const actions = (u: AdminUser) => {
    const label = (text: string) => `${text}: ${who(u)}`;
    const edit = h('button', { type: 'button', 'data-testid': 'user-edit', 'aria-label': label(t('adm.edit')), onclick: () => openForm(u) }, t('adm.edit'));
    if (u.id === app.me.id) return h('div', { class: 'row' }, edit);
    const onOff: HTMLButtonElement = h('button', { type: 'button', 'data-testid': u.disabled ? 'user-enable' : 'user-disable', 'aria-label': label(u.disabled ? t('users.enable') : t('users.disable')), onclick: () => void toggle(u, onOff) }, u.disabled ? t('users.enable') : t('users.disable'));
    const resetButton: HTMLButtonElement = h('button', { type: 'button', 'data-testid': 'user-reset', 'aria-label': label(t('users.reset')), onclick: () => void reset(u, resetButton) }, t('users.reset'));
    const unlockButton: HTMLButtonElement | null = u.lockedUntil
      ? h('button', { type: 'button', 'data-testid': 'user-unlock', 'aria-label': label(t('users.unlock')), onclick: () => void unlock(u, unlockButton!) }, t('users.unlock'))
      : null;
    const mfaButton: HTMLButtonElement | null = u.mfaEnabled
      ? h('button', { type: 'button', 'data-testid': 'user-mfa-reset', 'aria-label': label(t('mfa.admin.reset')), onclick: () => void resetMfa(u, mfaButton!) }, t('mfa.admin.reset'))
      : null;
    return h('div', { class: 'row' }, edit, onOff, resetButton, unlockButton, mfaButton);
  };

  const render = () => {
    if (!places) return;
    const p = places;
    fill(tableHost, dataTable({
      caption: t('users.caption'),
      columns: [t('users.name'), t('users.id'), t('users.role'), t('users.scope'), t('users.contact'), t('users.state'), t('adm.actions')],
      empty: t('users.none'),
      testid: 'users-table',
      rowHeader: true,
      rows: [...users].sort((a, b) => who(a).localeCompare(who(b))).map((u) => ({
        attrs: { 'data-user-id': u.id, 'data-disabled': String(u.disabled) },
        cells: [who(u), h('code', {}, u.id), tOf('role', u.role), scopeText(u, p, grids), contactCell(u), stateBadges(u), actions(u)],
      })),
    }));
  };

  let alive = true;
  // Names of compounds and grids, once per page; the logins again after each change.
  const names = Promise.all([loadPlaces(), loadGrids()]);
  async function reload(): Promise<void> {
    try {
      [users, [places, grids]] = await Promise.all([api<UsersAnswer>('GET', '/api/admin/users').then((a) => a.users), names]);
      if (alive) render();
    } catch (error) {
      if (alive) fill(tableHost, h('p', { class: 'notice', role: 'alert', 'data-testid': 'users-error' }, errorText(error)));
    }
  }
  void reload();
  return { dispose: () => void (alive = false) };
}
