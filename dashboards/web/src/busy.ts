/**
 * No double submit: a write runs with its buttons disabled (and the form marked busy); they come
 * back when it ends, whatever the outcome. A second start while one runs is ignored.
 */
const running = new WeakSet<object>();

export async function whileBusy<T>(owner: HTMLElement, buttons: HTMLButtonElement[], work: () => Promise<T>): Promise<T | undefined> {
  if (running.has(owner)) return undefined;
  running.add(owner);
  const before = buttons.map((b) => b.disabled);
  for (const b of buttons) b.disabled = true;
  owner.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    running.delete(owner);
    owner.removeAttribute('aria-busy');
    buttons.forEach((b, i) => (b.disabled = before[i] ?? false));
  }
}

/** The submit and other buttons of a form. */
export const buttonsOf = (el: HTMLElement): HTMLButtonElement[] => [...el.querySelectorAll('button')];
