/**
 * The alert desk's filters: a search box, state (open, one workflow state, the archive of closed
 * alerts, all), severity, alert type, compound (unless the view is of one), building, assignee and
 * the time range raised. Every control is labelled; a change applies at once (the search after a
 * pause in typing). `read()` says the filters as the desk API takes them (contracts/alert-desk.ts).
 */
import type { DeskChoices, DeskQuery, DeskState } from '../../../src/contracts/alert-desk.ts';
import type { Person } from '../../../src/contracts/api.ts';
import { SEVERITIES } from '../../../src/contracts/severity.ts';
import { h } from './dom.ts';
import { currentLang, t, tOf } from './i18n.ts';
import { field, select } from './form-kit.ts';

const STATES: DeskState[] = ['open', 'new', 'dispatched', 'accepted', 'resolved', 'closed', 'all'];
/** Typing in the search box applies after this pause. */
const SEARCH_PAUSE_MS = 300;

export type DeskFilter = Pick<DeskQuery, 'state' | 'severity' | 'rule' | 'compound' | 'building' | 'assignee' | 'q' | 'from' | 'to'>;

export interface DeskFilters {
  el: HTMLElement;
  read(): DeskFilter;
  /** Shows the archive (closed alerts). */
  archive(): void;
}

/** A `datetime-local` value as a time in the browser's zone, or undefined when empty. */
const timeOf = (input: HTMLInputElement): number | undefined => (input.value ? new Date(input.value).getTime() : undefined);

export function deskFilters(choices: DeskChoices, people: readonly Person[], fixedCompound: string | undefined, changed: () => void): DeskFilters {
  const any: [string, string] = ['', t('desk.any')];
  const q = h('input', { type: 'search', autocomplete: 'off', 'data-testid': 'desk-q', placeholder: t('desk.searchHint') });
  const state = select(STATES.map((s): [string, string] => [s, t(`desk.state.${s}` as Parameters<typeof t>[0])]), 'open', { 'data-testid': 'desk-state' });
  const severity = select([any, ...SEVERITIES.map((s): [string, string] => [s, tOf('sev', s)])], '', { 'data-testid': 'desk-severity' });
  const lang = currentLang();
  const collator = new Intl.Collator(lang === 'zh' ? 'zh-CN' : 'en');
  const rules = [...choices.rules].sort((a, b) => collator.compare(a.name[lang], b.name[lang]));
  const rule = select([any, ...rules.map((r): [string, string] => [r.id, r.name[lang]])], '', { 'data-testid': 'desk-rule' });
  const several = !fixedCompound && choices.compounds.length > 1;
  const compoundName = new Map(choices.compounds.map((c) => [c.id, c.name]));
  const compound = select([any, ...choices.compounds.map((c): [string, string] => [c.id, c.name])], '', { 'data-testid': 'desk-compound' });
  // A building belongs to a compound: its value says both (`h1|b1`), and its label names the compound while several are shown.
  const buildingOptions = () =>
    choices.buildings
      .filter((b) => (fixedCompound ? b.compound === fixedCompound : !compound.value || b.compound === compound.value))
      .map((b): [string, string] => [`${b.compound}|${b.id}`, several && !compound.value ? `${compoundName.get(b.compound) ?? b.compound} · ${b.name}` : b.name]);
  const building = select([any, ...buildingOptions()], '', { 'data-testid': 'desk-building' });
  const takers = people.filter((p) => p.role !== 'viewer');
  const assignee = select([any, ...takers.map((p): [string, string] => [p.id, p.name])], '', { 'data-testid': 'desk-assignee' });
  const from = h('input', { type: 'datetime-local', 'data-testid': 'desk-from' });
  const to = h('input', { type: 'datetime-local', 'data-testid': 'desk-to' });

  let pause: ReturnType<typeof setTimeout> | undefined;
  q.addEventListener('input', () => {
    clearTimeout(pause);
    pause = setTimeout(changed, SEARCH_PAUSE_MS);
  });
  compound.addEventListener('change', () => {
    building.replaceChildren(...[any, ...buildingOptions()].map(([v, label]) => h('option', { value: v }, label)));
  });
  for (const control of [state, severity, rule, compound, building, assignee, from, to]) control.addEventListener('change', changed);

  const form: HTMLFormElement = h('form', {
    class: 'desk-filters',
    role: 'search',
    'data-testid': 'desk-filters',
    'aria-label': t('desk.filters'),
    onsubmit: (e: Event) => {
      e.preventDefault();
      clearTimeout(pause);
      changed();
    },
  },
    h('div', { class: 'desk-search' }, field(t('desk.search'), q)),
    h('div', { class: 'form-grid' },
      field(t('desk.state'), state),
      field(t('desk.severity'), severity),
      field(t('desk.rule'), rule),
      several ? field(t('desk.compound'), compound) : null,
      field(t('desk.building'), building),
      field(t('desk.assignee'), assignee),
      field(t('desk.from'), from),
      field(t('desk.to'), to),
    ),
    h('div', { class: 'row' },
      h('button', { type: 'button', 'data-testid': 'desk-clear', onclick: () => (form.reset(), compound.dispatchEvent(new Event('change')), changed()) }, t('desk.clear')),
    ),
  );

  return {
    el: form,
    read() {
      const [buildingCompound, buildingId] = building.value ? building.value.split('|') : [];
      const text = q.value.trim();
      return {
        state: state.value as DeskState,
        ...(severity.value ? { severity: severity.value as DeskFilter['severity'] } : {}),
        ...(rule.value ? { rule: rule.value } : {}),
        ...(fixedCompound ? { compound: fixedCompound } : compound.value ? { compound: compound.value } : buildingCompound ? { compound: buildingCompound } : {}),
        ...(buildingId ? { building: buildingId } : {}),
        ...(assignee.value ? { assignee: assignee.value } : {}),
        ...(text ? { q: text } : {}),
        ...(timeOf(from) !== undefined ? { from: timeOf(from) } : {}),
        ...(timeOf(to) !== undefined ? { to: timeOf(to) } : {}),
      };
    },
    archive() {
      state.value = 'closed';
      changed();
    },
  };
}
