/**
 * A refused place or compound in the user's language: each of the hub's issues by the field
 * its path starts with (`deskPhone`, `location.lat`, `buildings.b1` …), and those fields marked
 * invalid so the focus can go to the first.
 */
import type { Issue } from '../../../src/contracts/admin.ts';
import { tIf } from './i18n.ts';
import { ApiError } from './api.client.ts';
import { buttonsOf, whileBusy } from './busy.ts';
import type { ErrorBox } from './error-box.ts';

const fieldOf = (issue: Issue): string => issue.path.split('.')[0] ?? '';

/** The sentence for an issue of a place or compound; undefined for one the page does not know. */
export const placeIssueText = (issue: Issue): string | undefined => tIf('places.bad', fieldOf(issue));

/** Marks the controls the issues name (by field) invalid, the others valid; the first marked, for the focus. */
function markInvalid(controls: Record<string, HTMLElement | undefined>, issues: readonly Issue[]): HTMLElement | undefined {
  const bad = new Set(issues.map(fieldOf));
  let first: HTMLElement | undefined;
  for (const [name, control] of Object.entries(controls)) {
    if (!control) continue;
    if (bad.has(name)) {
      control.setAttribute('aria-invalid', 'true');
      first ??= control;
    } else control.removeAttribute('aria-invalid');
  }
  return first;
}

/**
 * Sends a place or compound form (its buttons off meanwhile); a refusal is said in `errors`, the
 * controls it names marked invalid and the focus on the first.
 */
export function sendPlaceForm(form: HTMLElement, errors: ErrorBox, controls: Record<string, HTMLElement | undefined>, work: () => Promise<void>): void {
  void whileBusy(form, buttonsOf(form), async () => {
    try {
      await work();
    } catch (error) {
      errors.explain(error, placeIssueText);
      markInvalid(controls, error instanceof ApiError ? error.issues : [])?.focus();
    }
  });
}
