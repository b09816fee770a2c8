/**
 * A compound's worst state as a mark that differs by shape as well as colour: a triangle for a
 * critical alert, a diamond for a major one, a hollow square when no device is online, a circle
 * when all is well. Used on the map, in its legend, in the table and on the wall.
 */
import { svg } from './dom.ts';
import { t } from './i18n.ts';
import type { CompoundState } from './district-rows.ts';

/** The shape of `state` centred on (x, y), about `r` across each way. */
export function markShape(state: CompoundState, x: number, y: number, r: number): SVGElement {
  const cls = `mark mark-${state}`;
  switch (state) {
    case 'critical':
      return svg('path', { class: cls, d: `M${x} ${y - r * 1.2}L${x + r * 1.15} ${y + r * 0.85}L${x - r * 1.15} ${y + r * 0.85}Z` });
    case 'major':
      return svg('path', { class: cls, d: `M${x} ${y - r * 1.1}L${x + r * 1.1} ${y}L${x} ${y + r * 1.1}L${x - r * 1.1} ${y}Z` });
    case 'offline':
      return svg('rect', { class: cls, x: x - r * 0.85, y: y - r * 0.85, width: r * 1.7, height: r * 1.7 });
    case 'ok':
      return svg('circle', { class: cls, cx: x, cy: y, r: r * 0.8 });
  }
}

/** A small inline mark (decorative: the text beside it says the state). */
export const markIcon = (state: CompoundState, size = 16): SVGElement =>
  svg('svg', { class: 'mark-icon', viewBox: '-10 -10 20 20', width: size, height: size, 'aria-hidden': 'true', 'data-shape': state }, markShape(state, 0, 0, 7));

export const stateText = (state: CompoundState): string => t(`dist.state.${state}`);
