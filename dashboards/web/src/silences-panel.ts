/**
 * The compound view's "屏蔽中" panel: every silence affecting the compound (its own, its
 * devices', district-wide ones) with what it mutes, who made it and why, until when; users
 * who may silence can end one.
 */
import type { SilenceView } from '../../../src/contracts/api.ts';
import { mayDo } from '../../../src/contracts/access.ts';
import type { Me } from '../../../src/contracts/live-events.ts';
import { h, fill } from './dom.ts';
import { t, until } from './i18n.ts';
import { errorText } from './error-text.ts';
import { silenceWhat } from './silence-text.ts';
import type { People } from './people.ts';
import type { SilenceList } from './silences.ts';

export interface SilencesPanelContext {
  me: Me;
  people: People;
  silences: SilenceList;
  deviceName(deviceKey: string): string;
  compoundName(id: string): string;
  report(message: string): void;
}

function item(s: SilenceView, ctx: SilencesPanelContext): HTMLElement {
  const what = silenceWhat(s, ctx.deviceName, ctx.compoundName);
  const end = mayDo(ctx.me.role, 'silence')
    ? h('button', {
        type: 'button',
        'data-testid': 'silence-end',
        'aria-label': t('silences.endLabel', { what }),
        onclick: async (e: Event) => {
          (e.currentTarget as HTMLButtonElement).disabled = true;
          try {
            await ctx.silences.end(s.id);
            ctx.report(t('silences.ended', { what }));
          } catch (error) {
            ctx.report(errorText(error));
            (e.target as HTMLButtonElement).disabled = false;
          }
        },
      }, t('silences.end'))
    : null;
  return h('li', { class: 'silence', 'data-testid': 'silence-item', 'data-silence-id': s.id, 'data-device-key': s.deviceKey, 'data-rule': s.ruleId },
    h('div', { class: 'silence-what', 'data-testid': 'silence-what' }, what),
    h('div', { class: 'silence-meta muted' },
      h('span', { 'data-testid': 'silence-until' }, t('silences.untilLabel', { until: until(s.until) })),
      h('span', { 'data-testid': 'silence-by' }, t('silences.by', { who: ctx.people.name(s.actor) })),
    ),
    h('div', { class: 'silence-reason', 'data-testid': 'silence-reason-text' }, s.reason),
    end,
  );
}

export function renderSilences(el: HTMLElement, ctx: SilencesPanelContext): void {
  const now = Date.now();
  const list = ctx.silences.list.filter((s) => s.until > now);
  fill(el,
    h('h2', {}, t('silences.title')),
    list.length
      ? h('ul', { class: 'silences', 'data-testid': 'silences' }, ...list.map((s) => item(s, ctx)))
      : h('p', { class: 'muted', 'data-testid': 'silences-none' }, t('silences.none')),
  );
}
