/**
 * The compound's site plan: every device at its registry position (0..100 both axes), one
 * shape per type, coloured by its state. Devices without a position line up along the bottom.
 */
import type { DeviceView } from '../../../src/contracts/live-events.ts';
import { svg } from './dom.ts';
import type { DeviceLook } from './device-format.ts';
import { deviceKey } from './live-state.ts';
import { keyFields } from './device-format.ts';
import { t, tOf } from './i18n.ts';

const LOOK_LABEL: Record<DeviceLook, string> = { offline: '○', critical: '!', warning: '!', maintenance: '⚙', busy: '', ok: '' };

function shape(d: DeviceView, x: number, y: number): SVGElement {
  switch (d.type) {
    case 'elevator':
      return svg('rect', { x: x - 2, y: y - 2, width: 4, height: 4, rx: 0.6 });
    case 'manhole':
      return svg('circle', { cx: x, cy: y, r: 1.8 });
    case 'fire_lane':
      return svg('rect', { x: x - 4, y: y - 1.2, width: 8, height: 2.4, rx: 1.2 });
    case 'parking':
      return svg('rect', { x: x - 1.4, y: y - 2, width: 2.8, height: 4, rx: 0.4 });
  }
}

export function sitePlan(devices: DeviceView[], lookOf: (d: DeviceView) => DeviceLook, selected: string | undefined, onPick: (key: string) => void): SVGElement {
  const unplaced = devices.filter((d) => !d.position);
  const plan = svg('svg', { viewBox: '-5 -5 110 110', role: 'group', 'aria-label': t('plan.title'), class: 'site-plan', 'data-testid': 'site-plan' });
  plan.append(svg('rect', { x: -5, y: -5, width: 110, height: 110, class: 'ground' }));
  // Alarming devices are drawn last, on top of their neighbours.
  const rank = (d: DeviceView) => ['ok', 'busy', 'offline', 'maintenance', 'warning', 'critical'].indexOf(lookOf(d));
  [...devices].sort((a, b) => rank(a) - rank(b)).forEach((d) => {
    const i = unplaced.indexOf(d);
    const { x, y } = d.position ?? { x: 4 + (i % 12) * 8, y: 96 - Math.floor(i / 12) * 6 };
    const key = deviceKey(d);
    const look = lookOf(d);
    const g = svg('g', { class: `dev look-${look}${key === selected ? ' selected' : ''}`, 'data-testid': 'site-device', 'data-device-key': key, 'data-state': look, tabindex: 0, role: 'button' });
    g.append(
      svg('title', {}, `${tOf('type', d.type)} ${d.name ?? d.device}: ${keyFields(d).map(([, text]) => text).join(' · ')}`),
      shape(d, x, y),
    );
    if (LOOK_LABEL[look]) g.append(svg('text', { x, y: y + 0.9, 'text-anchor': 'middle', class: 'mark' }, LOOK_LABEL[look]));
    g.addEventListener('click', () => onPick(key));
    g.addEventListener('keydown', (e) => (e as KeyboardEvent).key === 'Enter' && onPick(key));
    plan.append(g);
  });
  return plan;
}
