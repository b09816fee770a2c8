/**
 * A device's marker on the site plan: its shape says the type (elevator square, manhole circle,
 * fire lane long bar, parking space tall box), its icon and outline the state (critical ‼ with a
 * double ring, warning !, offline × dashed, maintenance ⚙, occupied ●), so colour is never the
 * only sign. The legend draws the same shapes and icons.
 */
import type { DeviceType } from '../../../src/contracts/live-events.ts';
import { svg } from './dom.ts';
import type { DeviceLook } from './device-format.ts';

export const LOOK_ICON: Record<DeviceLook, string> = { critical: '‼', warning: '!', offline: '×', maintenance: '⚙', busy: '●', ok: '' };
/** Most urgent first: the order of clusters and of drawing (urgent on top). */
export const LOOK_RANK: Record<DeviceLook, number> = { critical: 0, warning: 1, offline: 2, maintenance: 3, busy: 4, ok: 5 };
export const LOOKS = Object.keys(LOOK_RANK) as DeviceLook[];

export function typeShape(type: DeviceType, x: number, y: number, scale = 1): SVGElement {
  const s = scale;
  switch (type) {
    case 'elevator':
      return svg('rect', { class: 'shape', x: x - 2 * s, y: y - 2 * s, width: 4 * s, height: 4 * s, rx: 0.5 * s });
    case 'manhole':
      return svg('circle', { class: 'shape', cx: x, cy: y, r: 2.1 * s });
    case 'fire_lane':
      return svg('rect', { class: 'shape', x: x - 3.6 * s, y: y - 1.4 * s, width: 7.2 * s, height: 2.8 * s, rx: 1.4 * s });
    case 'parking':
      return svg('rect', { class: 'shape', x: x - 1.5 * s, y: y - 2.2 * s, width: 3 * s, height: 4.4 * s, rx: 0.3 * s });
  }
}

/** The marker's drawing (shape, state ring, icon) at x, y; the caller adds the interaction. */
export function markerParts(type: DeviceType, look: DeviceLook, x: number, y: number, scale = 1): SVGElement[] {
  const parts: SVGElement[] = [];
  if (look === 'critical') parts.push(svg('circle', { class: 'ring', cx: x, cy: y, r: 3.6 * scale }));
  parts.push(typeShape(type, x, y, scale));
  const icon = LOOK_ICON[look];
  if (icon) parts.push(svg('text', { class: 'icon', x, y: y + 0.95 * scale, 'text-anchor': 'middle', 'font-size': 2.7 * scale, 'aria-hidden': 'true' }, icon));
  return parts;
}
