/**
 * A worker's way to the compound from an alert card: 拨打物业 (a `tel:` link to the compound's
 * property desk, as the registry says) and 导航 (an https link out to Amap with the registry's
 * WGS-84 position, and a `geo:` link for the phone's own map app). The app draws no map tiles:
 * it only links out.
 */
import type { CompoundSummary } from '../../../src/contracts/live-events.ts';
import { h } from './dom.ts';
import { t } from './i18n.ts';

export type CompoundPlace = Pick<CompoundSummary, 'id' | 'name'> & Partial<Pick<CompoundSummary, 'deskPhone' | 'location'>>;

/** `tel:` with the digits (and a leading +) only. */
export const telHref = (phone: string): string => `tel:${phone.replace(/[^\d+]/g, '')}`;

/** RFC 5870 geo URI with a label, for the phone's map app. */
export const geoHref = (at: { lat: number; lon: number }, name: string): string => `geo:${at.lat},${at.lon}?q=${at.lat},${at.lon}(${encodeURIComponent(name)})`;

/** Amap's marker page (opens the app where installed), told that the position is WGS-84 (GPS), not GCJ-02. */
export const mapHref = (at: { lat: number; lon: number }, name: string): string =>
  `https://uri.amap.com/marker?position=${at.lon},${at.lat}&name=${encodeURIComponent(name)}&coordinate=wgs84&callnative=1&src=compound-hub`;

export function compoundLinks(compound: CompoundPlace | undefined): HTMLElement | null {
  if (!compound) return null;
  const name = compound.name;
  const phone = compound.deskPhone;
  const at = compound.location;
  return h(
    'div',
    { class: 'worker-links', 'data-testid': 'worker-links' },
    phone
      ? h('a', { class: 'link-button', href: telHref(phone), 'data-testid': 'call-desk', 'aria-label': t('phone.callAria', { compound: name, phone }) }, t('phone.call'))
      : h('span', { class: 'muted', 'data-testid': 'call-desk-none' }, t('phone.noPhone')),
    at
      ? [
          h('a', { class: 'link-button', href: mapHref(at, name), target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'navigate', 'aria-label': t('phone.navigateAria', { compound: name }) }, t('phone.navigate')),
          h('a', { class: 'link-button', href: geoHref(at, name), 'data-testid': 'navigate-geo', 'aria-label': t('phone.mapAppAria', { compound: name }) }, t('phone.mapApp')),
        ]
      : h('span', { class: 'muted', 'data-testid': 'navigate-none' }, t('phone.noLocation')),
  );
}
