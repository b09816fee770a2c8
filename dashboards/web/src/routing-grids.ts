/**
 * Beside the routing document: each grid with its compounds and shifts by name, and its workers
 * in calling order (move up, remove, add a worker picked by name), written into the JSON. Each
 * worker shows the channels robots can @mention them on, or is marked when they have no contact.
 */
import type { AdminUser, UsersAnswer } from '../../../src/contracts/admin.ts';
import { h, fill } from './dom.ts';
import { t } from './i18n.ts';
import { api } from './api.client.ts';
import { field, section, select, uid } from './form-kit.ts';
import { gridsOf, loadPlaces, nameList, type Places } from './admin-places.ts';
import { objectOf, type DocEditor } from './json-doc.ts';
import type { AppContext } from './app.types.ts';
import { contactSummary } from './contact-fields.ts';

interface Names {
  users: AdminUser[];
  places: Places | undefined;
}

const personName = (names: Names, id: string) => names.users.find((u) => u.id === id)?.name ?? id;

/** What robots can @mention a worker on, or a mark that they cannot (only once the logins are known). */
function contactBadge(names: Names, id: string): HTMLElement | null {
  if (!names.users.length) return null;
  const summary = contactSummary(names.users.find((u) => u.id === id)?.contact);
  return summary
    ? h('span', { class: 'badge ok', 'data-testid': 'grid-worker-contact' }, summary)
    : h('span', { class: 'badge off', 'data-testid': 'grid-worker-no-contact' }, t('contact.missing'));
}

/** The grid objects of the document as it stands (for writing into), when it reads as JSON. */
function gridObjects(editor: DocEditor): { body: unknown; grids: Array<Record<string, unknown>> } | undefined {
  const parsed = editor.read();
  const grids = parsed.ok ? objectOf(parsed.value)?.grids : undefined;
  return parsed.ok && Array.isArray(grids) ? { body: parsed.value, grids: grids.map((g) => objectOf(g) ?? {}) } : undefined;
}

export function gridsTools(editor: DocEditor, app: AppContext): HTMLElement {
  const names: Names = { users: [], places: undefined };
  const host = h('div', { class: 'grid-cards' });
  let shown: string | undefined;

  /** Changes grid `i`'s workers and redraws at once; `focus` names the control to land on. */
  const setWorkers = (i: number, change: (workers: string[]) => string[], focus: string) => {
    const doc = gridObjects(editor);
    const grid = doc?.grids[i];
    if (!doc || !grid) return;
    grid.workers = change(Array.isArray(grid.workers) ? grid.workers.filter((w): w is string => typeof w === 'string') : []);
    (objectOf(doc.body)!.grids as unknown[])[i] = grid;
    editor.write(doc.body);
    render(true);
    host.querySelector<HTMLElement>(focus)?.focus();
  };

  const card = (grid: ReturnType<typeof gridsOf>[number], i: number, shifts: unknown[]) => {
    const candidates = names.users.filter((u) => u.role === 'worker' && !u.disabled && !grid.workers.includes(u.id));
    const picker = select(candidates.map((u) => [u.id, u.name ? `${u.name} · ${u.id}` : u.id]), undefined, { id: uid('grid-pick'), 'data-testid': 'grid-worker-pick' });
    const add = h('button', { type: 'button', disabled: !candidates.length, 'data-testid': 'grid-worker-add', onclick: () => {
      const who = picker.value;
      if (!who) return;
      setWorkers(i, (w) => [...w, who], `[data-grid="${i}"] [data-testid="grid-worker-pick"]`);
      app.report(t('grids.workerAdded', { who: personName(names, who), grid: grid.id }));
    } }, t('grids.addWorker'));
    const unreachable = names.users.length ? grid.workers.filter((w) => !contactSummary(names.users.find((u) => u.id === w)?.contact)).length : 0;
    const shiftLines = shifts.map(objectOf).filter(Boolean).map((s) => `${personName(names, String(s!.worker))} ${String(s!.from)}–${String(s!.to)}`);
    return h('section', { class: 'card grid-card', 'data-testid': 'grid-card', 'data-grid': String(i), 'data-grid-id': grid.id },
      h('h3', {}, `${t('grids.id')} ${grid.id}`),
      h('p', {}, `${t('grids.compounds')}: `, nameList(grid.compounds.map((c) => names.places?.compoundName(c) ?? c)) || '—'),
      shiftLines.length ? h('p', { class: 'muted' }, `${t('grids.shifts')}: `, nameList(shiftLines)) : null,
      unreachable ? h('p', { class: 'notice', 'data-testid': 'grid-cannot-mention' }, t('grids.cannotMention', { n: unreachable })) : null,
      h('p', { class: 'muted' }, t('grids.workers')),
      h('ol', { class: 'grid-workers' }, ...grid.workers.map((w, j) =>
        h('li', { 'data-testid': 'grid-worker', 'data-worker': w },
          h('span', {}, personName(names, w), ' ', h('code', { class: 'muted' }, w), ' ', contactBadge(names, w)),
          j > 0 ? h('button', { type: 'button', 'data-testid': 'grid-worker-up', 'aria-label': t('grids.upLabel', { who: personName(names, w) }), onclick: () =>
            setWorkers(i, (ws) => ws.map((x, k) => (k === j - 1 ? w : k === j ? ws[j - 1]! : x)), `[data-grid="${i}"] [data-worker="${CSS.escape(w)}"] button`) }, t('grids.up')) : null,
          h('button', { type: 'button', 'data-testid': 'grid-worker-remove', 'aria-label': t('grids.removeLabel', { who: personName(names, w), grid: grid.id }), onclick: () =>
            setWorkers(i, (ws) => ws.filter((x) => x !== w), `[data-grid="${i}"] [data-testid="grid-worker-pick"]`) }, t('grids.remove')),
        ))),
      h('div', { class: 'row' }, field(t('grids.pickWorker'), picker), add),
    );
  };

  function render(force = false): void {
    const doc = gridObjects(editor);
    if (!doc) return;
    const grids = gridsOf(doc.body);
    const sig = JSON.stringify([doc.grids, names.users.length, Boolean(names.places)]);
    if (sig === shown && !force) return;
    shown = sig;
    fill(host, grids.length ? grids.map((g, i) => card(g, i, Array.isArray(doc.grids[i]?.shifts) ? (doc.grids[i]!.shifts as unknown[]) : [])) : h('p', { class: 'muted' }, t('grids.none')));
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  editor.onChange(() => (clearTimeout(timer), (timer = setTimeout(() => render(), 250))));
  void Promise.all([api<UsersAnswer>('GET', '/api/admin/users').then((a) => a.users, () => []), loadPlaces().catch(() => undefined)]).then(([users, places]) => {
    names.users = users;
    names.places = places;
    render(true);
  });
  return section(t('grids.title'), 'routing-grids', h('p', { class: 'hint' }, t('grids.caption')), host);
}
