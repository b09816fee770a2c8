/**
 * Keyboard focus across a live re-render of the worker view: a card rebuilt for an update
 * replaces the element that had the focus, which would drop it on <body>. The focused element is
 * remembered by its card (data-alert-id) and its role in it (data-testid, or its place among the
 * card's controls), and the same element of the new card gets the focus back; when the card is
 * gone, the selected tab does.
 */
const FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]';

interface FocusKey {
  alertId: string | undefined;
  testid: string | undefined;
  /** Its place among the focusable elements of its card (or of the root). */
  index: number;
}

function keyOf(root: HTMLElement, el: HTMLElement): FocusKey {
  const card = el.closest<HTMLElement>('[data-alert-id]');
  const scope = card && root.contains(card) ? card : root;
  return { alertId: card?.dataset.alertId, testid: el.dataset.testid, index: [...scope.querySelectorAll(FOCUSABLE)].indexOf(el) };
}

function find(root: HTMLElement, key: FocusKey): HTMLElement | undefined {
  const scope = key.alertId ? root.querySelector<HTMLElement>(`[data-alert-id="${CSS.escape(key.alertId)}"]`) : root;
  if (!scope) return undefined;
  const all = [...scope.querySelectorAll<HTMLElement>(FOCUSABLE)];
  if (key.testid) {
    const same = all.filter((e) => e.dataset.testid === key.testid);
    return same.length === 1 ? same[0] : (same.find((e) => all.indexOf(e) === key.index) ?? same[0]);
  }
  return key.index >= 0 ? all[key.index] : undefined;
}

/** Runs `render`; if it took the focus away from an element inside `root`, gives it to the same element (or to `fallback()`). */
export function keepingFocus(root: HTMLElement, render: () => void, fallback?: () => HTMLElement | undefined): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && active !== document.body && root.contains(active) ? keyOf(root, active) : undefined;
  render();
  // Still there and focused: nothing to do. Removed, or moved (a moved element loses the focus too): found again.
  if (!key || document.activeElement === active) return;
  const target = find(root, key) ?? fallback?.();
  target?.focus({ preventScroll: true });
}
