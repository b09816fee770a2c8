/**
 * The audit log (#/admin/audit, admin): newest first, filtered by time range, actor, compound
 * and action; older entries page by `beforeId`; the same filters as a CSV export.
 */
import type { AuditAnswer, AuditEntryView, AuditFilter, UsersAnswer } from '../../../../src/contracts/admin.ts';
import { h, fill } from '../dom.ts';
import { currentLang, stamp, t } from '../i18n.ts';
import { api } from '../api.client.ts';
import { errorText } from '../error-text.ts';
import { dataTable } from '../data-table.ts';
import { whileBusy } from '../busy.ts';
import { field, select, uid } from '../form-kit.ts';
import { loadPlaces, type Places } from '../admin-places.ts';
import { deviceNames } from '../device-names.ts';
import { actionText, changeView, KNOWN_ACTIONS, systemActor, targetText, type TargetNames } from '../audit-format.ts';
import type { AppContext, View } from '../app.types.ts';

const PAGE = 100;

/** A `datetime-local` value as a time (the browser's zone), or undefined when empty. */
const timeOf = (input: HTMLInputElement): number | undefined => (input.value ? new Date(input.value).getTime() : undefined);

export function queryOf(filter: AuditFilter): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function adminAuditView(root: HTMLElement, app: AppContext): View {
  let alive = true;
  let entries: AuditEntryView[] = [];
  let filter: AuditFilter = {};
  let places: Places | undefined;
  const userNames = new Map<string, string>();

  const from = h('input', { type: 'datetime-local', 'data-testid': 'audit-from' });
  const to = h('input', { type: 'datetime-local', 'data-testid': 'audit-to' });
  const actorList = uid('audit-actors');
  const actor = h('input', { list: actorList, autocomplete: 'off', autocapitalize: 'none', placeholder: t('audit.anyActor'), 'data-testid': 'audit-actor' });
  const actors = h('datalist', { id: actorList });
  const compound = select([['', t('audit.anyCompound')]], '', { 'data-testid': 'audit-compound' });
  const actionChoices = KNOWN_ACTIONS.map((a): [string, string] => [a, actionText(a)]).sort(([, x], [, y]) => x.localeCompare(y, currentLang() === 'zh' ? 'zh-CN' : 'en'));
  const action = select([['', t('audit.anyAction')], ...actionChoices], '', { 'data-testid': 'audit-action' });
  const csv = h('a', { class: 'button', href: '/api/admin/audit.csv', download: 'audit.csv', 'data-testid': 'audit-csv' }, t('audit.csv'));
  const count = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite', 'data-testid': 'audit-count' });
  const tableHost = h('div', {}, h('p', { class: 'muted' }, t('adm.loading')));
  const older: HTMLButtonElement = h('button', { type: 'button', hidden: true, 'data-testid': 'audit-older', onclick: () => void whileBusy(older, [older], () => fetchPage(true)) }, t('audit.older'));
  const end = h('p', { class: 'muted', hidden: true, 'data-testid': 'audit-end' }, t('audit.end'));

  const names = deviceNames(() => render());
  const targetNames: TargetNames = {
    user: (id) => userNames.get(id) ?? id,
    compound: (id) => places?.compoundName(id) ?? id,
    device: (key) => names.name(key),
  };

  const readFilter = (): AuditFilter => ({
    from: timeOf(from),
    to: timeOf(to),
    actor: actor.value.trim() || undefined,
    compound: compound.value || undefined,
    action: action.value || undefined,
  });

  const form: HTMLFormElement = h('form', {
    class: 'admin-form filters',
    'data-testid': 'audit-filters',
    'aria-label': t('audit.filters'),
    onsubmit: (e: Event) => {
      e.preventDefault();
      filter = readFilter();
      void whileBusy(form, [...form.querySelectorAll('button')], () => fetchPage(false));
    },
  },
    h('div', { class: 'form-grid' },
      field(t('audit.from'), from),
      field(t('audit.to'), to),
      field(t('audit.actor'), actor),
      field(t('audit.compound'), compound),
      field(t('audit.action'), action),
    ),
    actors,
    h('div', { class: 'row' },
      h('button', { type: 'submit', class: 'primary', 'data-testid': 'audit-apply' }, t('audit.apply')),
      h('button', { type: 'button', 'data-testid': 'audit-clear', onclick: () => (form.reset(), form.requestSubmit()) }, t('audit.clear')),
      csv,
    ),
  );

  const actorText = (e: AuditEntryView) => {
    const name = systemActor(e.actor) ?? e.actorName ?? userNames.get(e.actor);
    return name && name !== e.actor ? `${name} (${e.actor})` : e.actor;
  };

  function render(): void {
    fill(tableHost, dataTable({
      caption: t('audit.caption'),
      columns: [t('audit.at'), t('audit.actor'), t('audit.address'), t('audit.action'), t('audit.target'), t('audit.compound'), t('audit.change')],
      empty: t('audit.none'),
      testid: 'audit-table',
      rows: entries.map((e) => ({
        attrs: { 'data-id': String(e.id), 'data-action': e.action },
        cells: [
          h('time', { datetime: new Date(e.at).toISOString() }, stamp(e.at)),
          actorText(e),
          e.address ?? '—',
          h('span', {}, actionText(e.action), e.note ? h('span', { class: 'muted note' }, ` · ${e.note}`) : null),
          targetText(e.target, targetNames),
          e.compound ? targetNames.compound(e.compound) : '—',
          changeView(e.before, e.after),
        ],
      })),
    }));
  }

  async function fetchPage(more: boolean): Promise<void> {
    const last = entries.at(-1);
    const query: AuditFilter = { ...filter, limit: PAGE, ...(more && last ? { beforeId: last.id } : {}) };
    csv.setAttribute('href', `/api/admin/audit.csv${queryOf(filter)}`);
    try {
      const page = (await api<AuditAnswer>('GET', `/api/admin/audit${queryOf(query)}`)).entries;
      if (!alive) return;
      entries = more ? [...entries, ...page] : page;
      const full = page.length === PAGE;
      older.hidden = !full;
      end.hidden = full || !more;
      count.textContent = t('audit.count', { n: entries.length });
      render();
    } catch (error) {
      if (alive) count.textContent = errorText(error);
    }
  }

  fill(root, h('div', { class: 'view-head' }, h('h1', {}, t('audit.title'))), h('section', { class: 'panel' }, form), h('section', { class: 'panel' }, count, tableHost, older, end));

  void Promise.all([
    loadPlaces().catch(() => undefined),
    api<UsersAnswer>('GET', '/api/admin/users').then((a) => a.users, () => []),
  ]).then(([p, users]) => {
    if (!alive) return;
    places = p;
    for (const u of users) if (u.name) userNames.set(u.id, u.name);
    fill(actors, ...users.map((u) => h('option', { value: u.id }, u.name ?? u.id)));
    for (const [id, name] of p?.compoundChoices() ?? []) compound.append(h('option', { value: id }, name));
    render();
  });
  void fetchPage(false);
  return { dispose: () => void (alive = false) };
}
