/**
 * The worker's resolve form: the note (required) and an optional photo, taken with the phone's
 * camera or picked. The photo is scaled in the browser (canvas, longest side 1600 px, JPEG) so a
 * phone's 4–12 MB picture goes up as a few hundred kB; it is uploaded first (POST
 * /api/alerts/:id/photos), then the resolve step names it; a retry after a failed resolve names
 * the photo already uploaded (photo-once.ts). A refusal keeps the form and what was typed; the
 * hub's code says why, in the user's language.
 */
import type { Alert } from '../../../src/contracts/live-events.ts';
import { PHOTO_MAX_BYTES, PHOTO_MAX_PX, type PhotoAnswer } from '../../../src/contracts/alert-photos.ts';
import { downscale } from './photo-scale.ts';
import { h, fill } from './dom.ts';
import { t } from './i18n.ts';
import { api, apiFile } from './api.client.ts';
import { codeText, errorText } from './error-text.ts';
import { field, uid } from './form-kit.ts';
import { formError } from './note-form.ts';
import { photoOnce } from './photo-once.ts';

export { downscale } from './photo-scale.ts';

/** Opens the resolve form in the card's form area; `report` gets the notice-bar messages (a step not sent offline). */
export function openResolveForm(forms: HTMLElement, alert: Alert, report: (message: string) => void): void {
  const testid = 'alert-resolve';
  const note = h('textarea', { rows: 3, placeholder: t('note.resolve'), 'aria-label': t('note.resolve'), 'data-testid': `${testid}-note`, required: true });
  const photo = h('input', { type: 'file', accept: 'image/*', capture: 'environment', id: uid('photo'), 'data-testid': `${testid}-photo` });
  const error = formError(testid);
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': `${testid}-submit` }, t('act.send'));
  const cancel = () => fill(forms);
  const say = (message: string) => {
    error.textContent = message;
  };
  // The photo goes up once: a retry of a resolve that failed names the photo already uploaded.
  const submitWithPhoto = photoOnce(async (file: File) => {
    const scaled = await downscale(file);
    if (!scaled) return void say(t('phone.photoUnreadable'));
    if (scaled.size > PHOTO_MAX_BYTES) return void say(codeText('PHOTO_TOO_LARGE'));
    say(t('phone.photoUploading'));
    const id = (await apiFile<PhotoAnswer>('POST', `/api/alerts/${encodeURIComponent(alert.id)}/photos`, scaled)).photo.id;
    say('');
    return id;
  });
  const send = async () => {
    const text = note.value.trim();
    if (!text) return;
    submit.disabled = true;
    say('');
    try {
      const sent = await submitWithPhoto(photo.files?.[0], (photoId) =>
        api('POST', `/api/alerts/${encodeURIComponent(alert.id)}/resolve`, { note: text, ...(photoId ? { photo: photoId } : {}) }),
      );
      if (sent) fill(forms);
    } catch (failure) {
      // Offline: the step was not sent; the form keeps the note and the photo.
      if (failure instanceof TypeError) report(t('act.notSent'));
      say(errorText(failure));
    } finally {
      submit.disabled = false;
    }
  };
  fill(
    forms,
    h(
      'form',
      {
        class: 'note-form resolve-form',
        'data-testid': `${testid}-form`,
        onsubmit: (e: Event) => {
          e.preventDefault();
          void send();
        },
        onkeydown: (e: Event) => (e as KeyboardEvent).key === 'Escape' && cancel(),
      },
      note,
      field(t('phone.photo'), photo, t('phone.photoHint', { px: PHOTO_MAX_PX, mb: PHOTO_MAX_BYTES / 1024 / 1024 })),
      error,
      h('div', { class: 'row' }, submit, h('button', { type: 'button', onclick: cancel }, t('act.cancel'))),
    ),
  );
  note.focus();
}
