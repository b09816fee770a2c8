/**
 * The alert desk (#/desk, #/desk/{compound}) for managers, admins and district viewers: the
 * alerts of their scope, open and closed (the archive), in a table with a search box, filters,
 * sortable headers and pages; several selected alerts accepted or commented at once, with the
 * result per row; a row opens a details panel with the alert's card and its full history; the
 * filtered list exported as CSV. Live: the page is read again when the live socket brings
 * alert changes.
 */
import '../desk.css';
import type { BulkAnswer, BulkResult, DeskAnswer, DeskChoices, DeskRow, DeskSort } from '../../../../src/contracts/alert-desk.ts';
import type { PeopleAnswer, Person } from '../../../../src/contracts/api.ts';
import { mayDo } from '../../../../src/contracts/access.ts';
import { h, fill } from '../dom.ts';
import { currentLang, t } from '../i18n.ts';
import { api } from '../api.client.ts';
import { errorText } from '../error-text.ts';
import { whileBusy } from '../busy.ts';
import { LiveState } from '../live-state.ts';
import { follow, type Live } from '../live.client.ts';
import { loadPeople } from '../people.ts';
import { learnRuleNames, loadRuleNames } from '../rule-names.ts';
import { openNoteForm } from '../note-form.ts';
import { deskFilters, type DeskFilter, type DeskFilters } from '../desk-filters.ts';
import { deskTable, focusPlace } from '../desk-table.ts';
import { deskDetails } from '../desk-details.ts';
import { cardVersion } from '../alert-card.ts';
import type { AppContext, View } from '../app.types.ts';

const PAGE = 50;
/** Live changes are gathered for this long before the page is read again. */
const LIVE_PAUSE_MS = 800;
/** The first sort of a column: newest and most severe first; names and workflow in their order. */
const FIRST_DIR: Record<DeskSort, 'asc' | 'desc'> = { raisedAt: 'desc', severity: 'desc', workflow: 'asc', compound: 'asc' };

/** `?a=1&b=x`: the values that are set. */
function queryOf(values: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function alertDeskView(root: HTMLElement, app: AppContext, compound?: string): View {
  let alive = true;
  let live: Live | undefined;
  let liveTimer: ReturnType<typeof setTimeout> | undefined;
  let filters: DeskFilters | undefined;
  let filter: DeskFilter = compound ? { compound } : {};
  let sort: DeskSort = 'raisedAt';
  let dir: 'asc' | 'desc' = 'desc';
  let offset = 0;
  let answer: DeskAnswer | undefined;
  let openRow: DeskRow | undefined;
  const selected = new Set<string>();
  let results = new Map<string, BulkResult>();
  const canAccept = mayDo(app.me.role, 'accept');
  const canComment = mayDo(app.me.role, 'comment');

  const people = loadPeople(app.me, () => draw());
  loadRuleNames(() => draw());

  const title = h('h1', { 'data-testid': 'desk-title' }, t('desk.title'));
  const filtersHost = h('div', {}, h('p', { class: 'muted' }, t('desk.loading')));
  const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite', 'data-testid': 'desk-count' });
  const bulkStatus = h('p', { class: 'desk-bulk-status', role: 'status', 'aria-live': 'polite', 'data-testid': 'desk-bulk-status' });
  const tableHost = h('div', {});
  const forms = h('div', { class: 'card-form' });
  const detailsHost = h('div', { class: 'desk-details-host' });
  const exportLink = h('a', { class: 'button', href: '/api/desk/alerts.csv', download: 'alerts.csv', 'data-testid': 'desk-export' }, t('desk.export'));
  const archiveButton = h('button', { type: 'button', 'data-testid': 'desk-archive', onclick: () => filters?.archive() }, t('desk.archive'));
  const selectedText = h('span', { class: 'muted', 'data-testid': 'desk-selected' });
  const acceptButton: HTMLButtonElement = h('button', { type: 'button', class: 'primary', 'data-testid': 'desk-accept', onclick: () => void bulk('accept') }, t('desk.acceptSelected'));
  const commentButton: HTMLButtonElement = h('button', { type: 'button', 'data-testid': 'desk-comment', onclick: () => openComment() }, t('desk.commentSelected'));
  const prev: HTMLButtonElement = h('button', { type: 'button', 'data-testid': 'desk-prev', onclick: () => void turn(-1) }, t('desk.prev'));
  const next: HTMLButtonElement = h('button', { type: 'button', 'data-testid': 'desk-next', onclick: () => void turn(1) }, t('desk.next'));
  const toolbar = h('div', { class: 'row desk-toolbar' },
    canAccept || canComment ? selectedText : null,
    canAccept ? acceptButton : null,
    canComment ? commentButton : null,
    h('span', { class: 'spacer' }),
    archiveButton,
    exportLink,
  );

  const query = () => ({ ...filter, sort, dir });

  function draw(): void {
    if (!alive || !answer) return;
    const restore = focusPlace(tableHost);
    learnRuleNames(answer.rows.map((r) => r.alert));
    fill(tableHost, deskTable({
      rows: answer.rows,
      sort,
      dir,
      selected,
      results,
      people,
      selectable: canAccept || canComment,
      openId: openRow?.alert.id,
      onSort: (column) => {
        dir = sort === column ? (dir === 'asc' ? 'desc' : 'asc') : FIRST_DIR[column];
        sort = column;
        offset = 0;
        void load();
      },
      onSelect: (ids, on) => {
        for (const id of ids) on ? selected.add(id) : selected.delete(id);
        draw();
      },
      onOpen: (row) => {
        if (openRow?.alert.id === row.alert.id) return closeDetails();
        openRow = row;
        detailForms = h('div', { class: 'card-form' });
        draw();
        drawDetails(true);
      },
    }));
    restore?.();
    const { total } = answer;
    status.textContent = total ? t('desk.count', { first: answer.offset + 1, last: answer.offset + answer.rows.length, total }) : t('desk.countNone');
    prev.disabled = answer.offset === 0;
    next.disabled = answer.offset + answer.rows.length >= total;
    selectedText.textContent = t('desk.selected', { n: selected.size });
    acceptButton.disabled = commentButton.disabled = selected.size === 0;
  }

  /** The card's forms of the open alert, kept across redraws; what the details show (redrawn only when it changes). */
  let detailForms = h('div', { class: 'card-form' });
  let detailsShown = '';
  function drawDetails(focus = false): void {
    if (!openRow) {
      detailsShown = '';
      return fill(detailsHost);
    }
    const version = `${openRow.alert.id}|${cardVersion(openRow.alert)}|${people.version}`;
    if (version === detailsShown && !focus) return;
    detailsShown = version;
    // Where the focus was in the panel: back on the same control (or the heading) after the redraw.
    const had = document.activeElement instanceof HTMLElement && detailsHost.contains(document.activeElement) ? document.activeElement : undefined;
    const testid = had?.dataset.testid;
    const panel = deskDetails(openRow, { me: app.me, people, report: app.report, close: closeDetails }, detailForms);
    fill(detailsHost, panel);
    if (focus || had) (panel.querySelector<HTMLElement>(testid ? `[data-testid="${CSS.escape(testid)}"]` : 'h2') ?? panel.querySelector<HTMLElement>('h2'))?.focus();
  }
  function closeDetails(): void {
    const id = openRow?.alert.id;
    openRow = undefined;
    drawDetails();
    draw();
    (tableHost.querySelector<HTMLElement>(`tr[data-alert-id="${CSS.escape(id ?? '')}"] [data-testid="desk-open"]`) ?? tableHost.querySelector<HTMLElement>('.table-wrap'))?.focus();
  }

  async function load(): Promise<void> {
    const q = query();
    exportLink.href = `/api/desk/alerts.csv${queryOf({ ...q, lang: currentLang(), tz: Intl.DateTimeFormat().resolvedOptions().timeZone })}`;
    try {
      const page = await api<DeskAnswer>('GET', `/api/desk/alerts${queryOf({ ...q, limit: PAGE, offset })}`);
      if (!alive) return;
      answer = page;
      // The open details follow the alert's changes.
      const shown = openRow && page.rows.find((r) => r.alert.id === openRow!.alert.id);
      if (openRow) openRow = shown ?? (await api<DeskRow>('GET', `/api/desk/alerts/${encodeURIComponent(openRow.alert.id)}`).catch(() => openRow));
      if (!alive) return;
      draw();
      drawDetails();
    } catch (error) {
      if (alive) status.textContent = errorText(error);
    }
  }

  async function turn(by: number): Promise<void> {
    offset = Math.max(0, offset + by * PAGE);
    await whileBusy(toolbar, [prev, next], load);
    tableHost.querySelector<HTMLElement>('.table-wrap')?.focus();
  }

  async function bulk(step: 'accept' | 'comment', note?: string): Promise<void> {
    const ids = [...selected];
    if (!ids.length) return;
    await whileBusy(toolbar, [acceptButton, commentButton], async () => {
      try {
        const answer = await api<BulkAnswer>('POST', `/api/desk/alerts/${step}`, step === 'comment' ? { ids, note } : { ids });
        results = new Map(answer.results.map((r) => [r.id, r]));
        for (const r of answer.results) if (r.ok) selected.delete(r.id);
        const ok = answer.results.filter((r) => r.ok).length;
        bulkStatus.textContent = t('desk.bulkDone', { ok, failed: answer.results.length - ok });
        fill(forms);
      } catch (error) {
        bulkStatus.textContent = errorText(error);
      }
      await load();
    });
  }

  function openComment(): void {
    openNoteForm(forms, { placeholder: t('desk.commentPlaceholder'), testid: 'desk-comment-form', submit: (note) => void bulk('comment', note) });
  }

  /** Filters changed: back to the first page, a new selection. */
  function changed(): void {
    if (!filters) return;
    filter = filters.read();
    offset = 0;
    selected.clear();
    results = new Map();
    void load();
  }

  fill(root,
    h('div', { class: 'view-head' }, title),
    h('section', { class: 'panel desk', 'aria-labelledby': 'desk-table-h' },
      filtersHost,
      toolbar,
      forms,
      bulkStatus,
      h('h2', { id: 'desk-table-h', class: 'offscreen' }, t('desk.caption')),
      status,
      tableHost,
      h('div', { class: 'row desk-pager' }, prev, next),
    ),
    detailsHost,
  );

  void Promise.all([
    api<DeskChoices>('GET', `/api/desk/choices${queryOf({ compound })}`),
    api<PeopleAnswer>('GET', '/api/people').then((a) => a.people, (): Person[] => []),
  ]).then(
    ([choices, list]) => {
      if (!alive) return;
      const name = compound ? choices.compounds.find((c) => c.id === compound)?.name : undefined;
      if (name) title.textContent = t('desk.titleOf', { compound: name });
      filters = deskFilters(choices, list, compound, changed);
      fill(filtersHost, filters.el);
      filter = filters.read();
      void load();
      // Live: alert changes in the compounds shown read the page again (gathered for a moment).
      const state = new LiveState();
      let seen: string | undefined;
      const signature = () => [...state.alerts.values()].map((a) => `${a.id}:${a.history.length}`).sort().join(',');
      live = follow({ compounds: choices.compounds.map((c) => c.id), detail: 'summary' }, state, app, {
        changed: () => {
          const now = signature();
          if (now === seen) return;
          const first = seen === undefined;
          seen = now;
          if (first) return;
          clearTimeout(liveTimer);
          liveTimer = setTimeout(() => void load(), LIVE_PAUSE_MS);
        },
      });
    },
    (error: unknown) => alive && fill(filtersHost, h('p', { class: 'notice', 'data-testid': 'no-access' }, errorText(error))),
  );

  return {
    dispose() {
      alive = false;
      clearTimeout(liveTimer);
      live?.close();
    },
  };
}
