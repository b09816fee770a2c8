/** The site plan's legend: device types by shape, states by icon (and colour), and the plan's features. */
import { DEVICE_TYPES } from '../../../src/contracts/device-types.ts';
import { h, svg } from './dom.ts';
import { t, tOf } from './i18n.ts';
import { LOOKS, markerParts } from './plan-markers.ts';
import type { DeviceLook } from './device-format.ts';

const sample = (...parts: SVGElement[]) => svg('svg', { viewBox: '-4.2 -4.2 8.4 8.4', class: 'legend-sample', 'aria-hidden': 'true', focusable: 'false' }, ...parts);
const item = (picture: SVGElement, text: string, attrs: Record<string, string> = {}) => h('li', attrs, picture, h('span', {}, text));

export function planLegend(): HTMLElement {
  return h(
    'details',
    { class: 'plan-legend', 'data-testid': 'plan-legend', open: true },
    h('summary', {}, t('plan.legend')),
    h('div', { class: 'legend-groups' },
      h('div', {}, h('h3', {}, t('plan.legend.types')),
        h('ul', {}, ...DEVICE_TYPES.map((type) => item(sample(svg('g', { class: 'dev look-ok' }, ...markerParts(type, 'ok', 0, 0))), tOf('type', type), { 'data-legend-type': type })))),
      h('div', {}, h('h3', {}, t('plan.legend.states')),
        h('ul', {}, ...LOOKS.map((look: DeviceLook) => item(sample(svg('g', { class: `dev look-${look}` }, ...markerParts('manhole', look, 0, 0))), t(`plan.state.${look}`), { 'data-legend-state': look })))),
      h('div', {}, h('h3', {}, t('plan.legend.places')),
        h('ul', {},
          item(sample(svg('rect', { class: 'building', x: -4, y: -3, width: 8, height: 6 })), t('plan.building')),
          item(sample(svg('rect', { class: 'zone', x: -4, y: -4, width: 8, height: 8 })), t('plan.zone')),
          item(sample(svg('line', { class: 'road', x1: -5, y1: 0, x2: 5, y2: 0, 'stroke-width': 3 })), t('plan.road')),
          item(sample(svg('path', { class: 'gate', d: 'M -3 2 L 0 -3 L 3 2 Z' })), t('plan.gate')),
          item(sample(svg('circle', { class: 'cluster-badge', r: 4 }), svg('text', { class: 'cluster-count', y: 1.5, 'text-anchor': 'middle', 'font-size': 4.5 }, '3')), t('plan.clusterHint')),
        )),
    ),
  );
}
