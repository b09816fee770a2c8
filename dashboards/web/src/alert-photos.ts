/**
 * The photos an alert's resolve steps name, as thumbnails on its card (compound and worker
 * views). The hub serves them only to those who may see the alert, never to be kept by the
 * browser; each opens whole in a new window.
 */
import type { Alert } from '../../../src/contracts/live-events.ts';
import { photoUrl } from '../../../src/contracts/alert-photos.ts';
import { h } from './dom.ts';
import { t, until } from './i18n.ts';
import type { People } from './people.ts';

export function alertPhotos(alert: Alert, people: People): HTMLElement | null {
  const steps = alert.history.filter((e) => e.kind === 'resolved' && e.photo);
  if (!steps.length) return null;
  return h(
    'div',
    { class: 'alert-photos', 'data-testid': 'alert-photos' },
    h('span', { class: 'muted' }, t('phone.photos')),
    steps.map((e) => {
      const url = photoUrl(alert.id, e.photo!);
      return h(
        'a',
        { href: url, target: '_blank', rel: 'noopener', class: 'photo-thumb', 'data-testid': 'alert-photo', 'data-photo-id': e.photo!, title: t('phone.photoOpen') },
        h('img', { src: url, alt: t('phone.photoAlt', { who: people.name(e.actor), time: until(e.at) }), loading: 'lazy', width: 96, height: 96 }),
      );
    }),
  );
}
