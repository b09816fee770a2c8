/**
 * The period the district's figures cover: today, the last 7 or 30 days (toggle buttons), or
 * custom days from/to (two date fields and Apply). Says the period in words for the headings.
 */
import { h } from './dom.ts';
import { locale, t } from './i18n.ts';
import { PERIOD_KINDS, chinaDay, chinaDayText, periodRange, type Period, type PeriodKind } from './district-period.ts';

export interface PeriodPicker {
  readonly el: HTMLElement;
  /** The period chosen, computed again at `now` (a rolling period moves on). */
  current(now?: number): Period;
  /** The period in words: 近 7 天, or 2026年11月1日 至 2026年11月3日. */
  label(): string;
}

export function periodPicker(changed: (period: Period) => void, initial: PeriodKind = '7d'): PeriodPicker {
  let kind: PeriodKind = initial === 'custom' ? '7d' : initial;
  let custom = { from: chinaDay(Date.now() - 6 * 86_400_000), to: chinaDay(Date.now()) };
  const from = h('input', { type: 'date', id: 'period-from', 'data-testid': 'period-from', value: custom.from, max: custom.to });
  const to = h('input', { type: 'date', id: 'period-to', 'data-testid': 'period-to', value: custom.to, max: custom.to });
  const error = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'period-error', hidden: true });
  const customBox = h('form', { class: 'period-custom', 'data-testid': 'period-custom-form', hidden: true },
    h('label', { for: 'period-from' }, t('dist.period.from'), from),
    h('label', { for: 'period-to' }, t('dist.period.to'), to),
    h('button', { type: 'submit', 'data-testid': 'period-apply' }, t('dist.period.apply')),
    error,
  );
  const buttons = PERIOD_KINDS.map((k) =>
    h('button', { type: 'button', class: 'period-kind', 'data-testid': `period-${k}`, 'aria-pressed': String(k === kind), onclick: () => choose(k) }, t(`dist.period.${k}`)),
  );
  const el = h('div', { class: 'period-picker', role: 'group', 'aria-labelledby': 'period-title', 'data-testid': 'period-picker' },
    h('span', { id: 'period-title', class: 'period-title' }, t('dist.period')),
    h('div', { class: 'period-kinds' }, ...buttons),
    customBox,
  );

  function press(k: PeriodKind): void {
    buttons.forEach((b, i) => b.setAttribute('aria-pressed', String(PERIOD_KINDS[i] === k)));
  }
  function choose(k: PeriodKind): void {
    customBox.hidden = k !== 'custom';
    if (k === 'custom') {
      press(k);
      from.focus();
      return;
    }
    kind = k;
    press(k);
    changed(picker.current());
  }
  customBox.addEventListener('submit', (event) => {
    event.preventDefault();
    const wanted = { from: from.value, to: to.value };
    if (!periodRange('custom', Date.now(), wanted)) {
      error.hidden = false;
      error.textContent = t('dist.period.invalid');
      from.setAttribute('aria-invalid', 'true');
      return;
    }
    error.hidden = true;
    from.removeAttribute('aria-invalid');
    custom = wanted;
    kind = 'custom';
    changed(picker.current());
  });

  const picker: PeriodPicker = {
    el,
    current: (now = Date.now()) => periodRange(kind, now, custom) ?? periodRange('7d', now)!,
    label() {
      if (kind !== 'custom') return t(`dist.period.${kind}`);
      const p = picker.current();
      // China days, as the period is computed: the browser's zone could be a day behind.
      return t('dist.period.range', { from: chinaDayText(p.from, locale()), to: chinaDayText(p.to, locale()) });
    },
  };
  return picker;
}
