/**
 * Photos attached to an alert when it is resolved (issue 16): what the API answers and the
 * limits both the server and the worker's phone view keep. No dependencies (bundled by the
 * dashboards too).
 *
 *   POST /api/alerts/:id/photos            body: the image (Content-Type image/jpeg, image/png or image/webp) → { photo }
 *   GET  /api/alerts/:id/photos            → { photos }
 *   GET  /api/alerts/:id/photos/:photoId   → the image (Cache-Control: private, no-store)
 *   POST /api/alerts/:id/resolve           { note, photo?: photoId }: the resolve step names the photo
 */

/** Largest photo the hub keeps (after the phone's downscale): 2 MiB. */
export const PHOTO_MAX_BYTES = 2 * 1024 * 1024;
/** Longest side the phone view downscales a photo to before upload. */
export const PHOTO_MAX_PX = 1600;
/** Most photos one alert may have. */
export const PHOTOS_PER_ALERT = 10;
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoType = (typeof PHOTO_TYPES)[number];

/** A stored photo without its bytes. */
export interface PhotoInfo {
  id: string;
  alertId: string;
  compound: string;
  type: PhotoType;
  bytes: number;
  /** When it was uploaded (ms epoch), and by whom (login id). */
  at: number;
  by: string;
}

export interface PhotoAnswer {
  photo: PhotoInfo;
}

export interface PhotosAnswer {
  photos: PhotoInfo[];
}

/** Where a photo is fetched from (same origin; the session cookie goes with it). */
export const photoUrl = (alertId: string, photoId: string): string => `/api/alerts/${encodeURIComponent(alertId)}/photos/${encodeURIComponent(photoId)}`;
