/**
 * Beside the rules document: a switch per rule (its `enabled` field, written into the JSON)
 * and a trial of the rules as they stand on the last days of history, counted per rule,
 * before they are saved.
 */
import type { RulesTryAnswer, RulesTryBody } from '../../../src/contracts/admin.ts';
import { h, fill } from './dom.ts';
import { currentLang, t, tOf } from './i18n.ts';
import { api } from './api.client.ts';
import { whileBusy } from './busy.ts';
import { errorBox } from './error-box.ts';
import { section } from './form-kit.ts';
import { dataTable } from './data-table.ts';
import { objectOf, type DocEditor } from './json-doc.ts';
import { ruleName } from './rule-names.ts';
import type { AppContext } from './app.types.ts';

const TRY_DAYS = 7;

const rulesOf = (body: unknown): unknown[] | undefined => {
  const rules = objectOf(body)?.rules;
  return Array.isArray(rules) ? rules : undefined;
};

/** 电梯困人 (the rule's name in the current language, or its id). */
function nameOf(rule: Record<string, unknown> | undefined, id: string): string {
  const name = objectOf(rule?.name)?.[currentLang()];
  return typeof name === 'string' && name ? name : ruleName(id);
}

const signature = (rules: unknown[] | undefined) =>
  JSON.stringify(rules?.map((r) => [objectOf(r)?.id, objectOf(r)?.name, objectOf(r)?.severity, objectOf(r)?.enabled]));

function switches(editor: DocEditor): HTMLElement {
  const box = h('fieldset', { class: 'choices checklist rule-toggles', 'data-testid': 'rule-toggles' });
  let shown: string | undefined;
  const render = () => {
    const parsed = editor.read();
    // While the text is not valid JSON the switches stay as they were.
    if (!parsed.ok) return;
    const rules = rulesOf(parsed.value);
    if (signature(rules) === shown) return;
    shown = signature(rules);
    const legend = h('legend', {}, t('rules.toggles'));
    if (!rules) return fill(box, legend, h('p', { class: 'muted' }, t('rules.noList')));
    fill(box, legend, h('p', { class: 'hint' }, t('rules.togglesHint')), ...rules.map((r, i) => {
      const rule = objectOf(r);
      const id = typeof rule?.id === 'string' ? rule.id : String(i);
      const input = h('input', { type: 'checkbox', checked: rule?.enabled !== false, 'data-testid': 'rule-toggle', 'data-rule-id': id });
      input.addEventListener('change', () => {
        const now = editor.read();
        const target = now.ok ? objectOf(rulesOf(now.value)?.[i]) : undefined;
        if (!now.ok || !target) return;
        target.enabled = input.checked;
        shown = signature(rulesOf(now.value));
        editor.write(now.value);
      });
      return h('label', { class: 'choice' }, input, ` ${nameOf(rule, id)} · ${tOf('sev', String(rule?.severity ?? ''))} · `, h('code', {}, id));
    }));
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  editor.onChange(() => (clearTimeout(timer), (timer = setTimeout(render, 250))));
  return box;
}

function trial(editor: DocEditor): HTMLElement {
  const summary = h('p', { role: 'status', 'aria-live': 'polite', 'data-testid': 'rules-try-summary' });
  const tableHost = h('div', { 'data-testid': 'rules-try-result' });
  const errors = errorBox('rules-try-error');
  const run: HTMLButtonElement = h('button', {
    type: 'button',
    'data-testid': 'rules-try',
    onclick: () =>
      void whileBusy(run, [run], async () => {
        errors.clear();
        fill(tableHost);
        const parsed = editor.read();
        if (!parsed.ok) return errors.say(parsed.message);
        const rules = rulesOf(parsed.value);
        if (!rules) return errors.say(t('rules.noList'));
        summary.textContent = t('rules.tryRunning');
        try {
          const answer = await api<RulesTryAnswer>('POST', '/api/admin/rules/try', { rules, days: TRY_DAYS } satisfies RulesTryBody);
          summary.textContent = answer.raised ? t('rules.tryTotal', { n: answer.raised }) : t('rules.tryNone', { days: TRY_DAYS });
          fill(tableHost, resultTable(rules, answer));
        } catch (error) {
          summary.textContent = '';
          errors.show(error);
        }
      }),
  }, t('rules.try', { days: TRY_DAYS }));
  return section(t('rules.tryHeading'), 'rules-try-panel', h('div', { class: 'row' }, run), summary, errors.el, tableHost);
}

/** Every rule of the document (none raised: 0), most raised first. */
function resultTable(rules: unknown[], answer: RulesTryAnswer): HTMLElement {
  const byId = new Map<string, Record<string, unknown> | undefined>();
  for (const r of rules) {
    const rule = objectOf(r);
    if (typeof rule?.id === 'string') byId.set(rule.id, rule);
  }
  const ids = [...new Set([...byId.keys(), ...Object.keys(answer.byRule)])];
  const count = (id: string) => answer.byRule[id] ?? 0;
  return dataTable({
    caption: t('rules.tryTitle', { days: TRY_DAYS }),
    columns: [t('rules.tryRule'), t('rules.tryCount')],
    empty: t('rules.tryNone', { days: TRY_DAYS }),
    testid: 'rules-try-table',
    rowHeader: true,
    rows: ids.sort((a, b) => count(b) - count(a)).map((id) => ({
      attrs: { 'data-rule-id': id, 'data-count': String(count(id)) },
      cells: [h('span', {}, nameOf(byId.get(id), id), ' ', h('code', { class: 'muted' }, id)), String(count(id))],
    })),
  });
}

export function rulesTools(editor: DocEditor, _app: AppContext): HTMLElement {
  return h('div', { class: 'doc-tools' }, h('section', { class: 'panel' }, switches(editor)), trial(editor));
}
