/** An admin's control for the compound's plan image: upload a PNG or SVG (the hub checks type and size), or remove it. */
import { PLAN_IMAGE_MAX_BYTES, type PlanImageInfo } from '../../../src/contracts/site-plan.ts';
import { api, apiFile } from './api.client.ts';
import { h } from './dom.ts';
import { errorText } from './error-text.ts';
import { t } from './i18n.ts';

export function planImageControl(compound: string, image: () => PlanImageInfo | undefined, changed: () => void, report: (message: string) => void): HTMLElement {
  const path = `/api/admin/compounds/${encodeURIComponent(compound)}/plan-image`;
  const input = h('input', {
    type: 'file',
    accept: 'image/png,image/svg+xml',
    'data-testid': 'plan-image-file',
    onchange: async () => {
      const file = input.files?.[0];
      if (!file) return;
      try {
        await apiFile<{ image: PlanImageInfo }>('PUT', path, file);
        report(t('plan.imageUploaded'));
        changed();
      } catch (error) {
        report(errorText(error));
      } finally {
        input.value = '';
      }
    },
  });
  const remove = h('button', {
    type: 'button',
    class: 'plan-tool wide',
    'data-testid': 'plan-image-remove',
    onclick: async () => {
      try {
        await api('DELETE', path);
        report(t('plan.imageRemoved'));
        changed();
      } catch (error) {
        report(errorText(error));
      }
    },
  }, t('plan.imageRemove'));
  const box = h('div', { class: 'plan-image-control' },
    h('label', { class: 'filter' }, h('span', {}, t('plan.imageUpload', { mb: PLAN_IMAGE_MAX_BYTES / 1024 / 1024 })), input));
  if (image()) box.append(remove);
  return box;
}
