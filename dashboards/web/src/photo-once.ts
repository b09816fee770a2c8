/**
 * The resolve form's photo, uploaded at most once: the id of the first successful upload of the
 * picked file is kept, so a retry of a resolve that failed (offline, a refusal) names the photo
 * already on the hub instead of uploading it again. Picking another file uploads that one.
 */
export type PhotoUpload<F> = (file: F) => Promise<string | undefined>;

/**
 * A submit of the form: `upload` the file (undefined when it was refused before sending; the form
 * has said why), unless it is the one already uploaded, then `resolve` naming it. True when the
 * resolve step was sent and taken; a failure of either step is thrown.
 */
export function photoOnce<F>(upload: PhotoUpload<F>): (file: F | undefined, resolve: (photoId: string | undefined) => Promise<unknown>) => Promise<boolean> {
  let kept: { file: F; id: string } | undefined;
  return async (file, resolve) => {
    let photoId: string | undefined;
    if (file !== undefined) {
      photoId = kept?.file === file ? kept.id : await upload(file);
      if (!photoId) return false;
      kept = { file, id: photoId };
    }
    await resolve(photoId);
    return true;
  };
}
