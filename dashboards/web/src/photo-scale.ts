/** A phone's photo scaled in the browser before upload (canvas, JPEG): shared by the worker's resolve form and the residents' report form, with no dictionaries. */
import { PHOTO_MAX_PX } from '../../../src/contracts/alert-photos.ts';
import { h } from './dom.ts';

/** The photo scaled to `maxPx` on its longest side as JPEG; a picture the browser cannot decode gives undefined. */
export async function downscale(file: Blob, maxPx = PHOTO_MAX_PX): Promise<Blob | undefined> {
  const bitmap = await createImageBitmap(file).catch(() => undefined);
  if (!bitmap) return undefined;
  const scale = Math.min(1, maxPx / Math.max(bitmap.width, bitmap.height));
  const canvas = h('canvas', { width: Math.max(1, Math.round(bitmap.width * scale)), height: Math.max(1, Math.round(bitmap.height * scale)) });
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve) => canvas.toBlob((blob) => resolve(blob ?? undefined), 'image/jpeg', 0.85));
}

