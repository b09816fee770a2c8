/**
 * Where a form says what went wrong: the refusal in the user's language (error-text.ts) and,
 * for a refused write, what to fix as `path: message` lines (the hub's `issues`).
 */
import type { Issue } from '../../../src/contracts/admin.ts';
import { h, fill, type Child } from './dom.ts';
import { ApiError } from './api.client.ts';
import { errorText } from './error-text.ts';
import { t } from './i18n.ts';

/** Says an issue in the user's language (undefined: the hub's own `path: message` is shown). */
export type IssueText = (issue: Issue) => string | undefined;

/** `grids.0.workers.1: unknown login` lines (or what `describe` says of them). */
export function issueList(issues: readonly Issue[], testid = 'issue', describe?: IssueText): HTMLElement | null {
  if (!issues.length) return null;
  const line = (i: Issue) => {
    const said = describe?.(i);
    return said ?? [i.path ? h('code', {}, i.path) : null, i.path ? ': ' : '', i.message];
  };
  return h('ul', { class: 'issues', 'aria-label': t('doc.issues') },
    ...issues.map((i) => h('li', { 'data-testid': testid, 'data-path': i.path }, line(i))));
}

export interface ErrorBox {
  el: HTMLElement;
  /** Shows a refusal: `lead` replaces the sentence for the code (a 409 the page explains itself), `extra` follows it. */
  show(error: unknown, lead?: string, ...extra: Child[]): void;
  /** Shows a refusal with its issues said by `describe` where it knows them. */
  explain(error: unknown, describe: IssueText): void;
  /** A problem found before sending (a missing choice), or a refusal the page explains itself in full. */
  say(text: string, ...extra: Child[]): void;
  clear(): void;
}

export function errorBox(testid: string): ErrorBox {
  const el = h('div', { class: 'error-box', role: 'alert', 'data-testid': testid });
  return {
    el,
    show(error, lead, ...extra) {
      const issues = error instanceof ApiError ? error.issues : [];
      fill(el, h('p', { class: 'error' }, lead ?? errorText(error)), issueList(issues), ...extra);
    },
    explain(error, describe) {
      fill(el, h('p', { class: 'error' }, errorText(error)), issueList(error instanceof ApiError ? error.issues : [], 'issue', describe));
    },
    say: (text, ...extra) => fill(el, h('p', { class: 'error' }, text), ...extra),
    clear: () => fill(el),
  };
}

/** Whether a refusal is that code (`CONFLICT`, …). */
export const isCode = (error: unknown, code: string): error is ApiError => error instanceof ApiError && error.code === code;
