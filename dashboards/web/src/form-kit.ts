/** Labelled form controls for the administration pages: every control has a label, hints are described-by. */
import { h, type Child } from './dom.ts';
import { t } from './i18n.ts';

let seq = 0;
/** A page-unique element id. */
export const uid = (prefix: string): string => `${prefix}-${(seq += 1)}`;

/** A label above its control, with an optional hint the control is described by. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  control.id ||= uid('f');
  const hintId = `${control.id}-hint`;
  if (hint) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hint ? h('span', { class: 'hint', id: hintId }, hint) : null);
}

export const optional = (label: string): string => t('adm.optional', { label });

/** A `<select>` of [value, label] options, `value` chosen. */
export function select(options: Array<[string, string]>, value: string | undefined, attrs: Record<string, string | undefined> = {}): HTMLSelectElement {
  return h('select', attrs, ...options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
}

export interface CheckList {
  el: HTMLFieldSetElement;
  values(): string[];
}

/** A group of checkboxes under a legend (compounds, grids): long lists scroll inside. */
export function checkList(legend: string, options: Array<[string, string]>, checked: readonly string[], testid: string): CheckList {
  const boxes = options.map(([value, label]) => {
    const box = h('input', { type: 'checkbox', value, checked: checked.includes(value), 'data-testid': `${testid}-option` });
    return { box, el: h('label', { class: 'choice' }, box, ` ${label}`) };
  });
  const el = h('fieldset', { class: 'choices checklist', 'data-testid': testid }, h('legend', {}, legend), ...boxes.map((b) => b.el));
  return { el, values: () => boxes.filter((b) => b.box.checked).map((b) => b.box.value) };
}

/** A panel section with a heading that takes the focus when shown (keyboard and screen reader land on it). */
export function section(title: string, testid: string, ...children: Array<Child | Child[]>): HTMLElement {
  return h('section', { class: 'panel', 'data-testid': testid, 'aria-labelledby': `${testid}-h` }, h('h2', { id: `${testid}-h`, tabindex: -1 }, title), ...children);
}

/** Moves the focus to a section's heading (after it was opened or replaced). */
export function focusHeading(el: HTMLElement): void {
  el.querySelector<HTMLElement>('h2, h3')?.focus();
}

/** Trimmed text, or undefined when empty. */
export const textOf = (input: HTMLInputElement | HTMLSelectElement): string | undefined => input.value.trim() || undefined;

/** A number typed into an input, or undefined when empty or not a number. */
export function numberOf(input: HTMLInputElement): number | undefined {
  if (input.value.trim() === '') return undefined;
  const n = Number(input.value);
  return Number.isFinite(n) ? n : undefined;
}

/** ids.ts's ID_PATTERN as an input's `pattern` (matched whole, `v` flag: the `-` escaped). */
export const ID_INPUT_PATTERN = '[a-z0-9][a-z0-9_\\-]{0,63}';
