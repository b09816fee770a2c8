import { describe, expect, it } from 'vitest';
import { photoOnce } from './photo-once.ts';

describe('photoOnce', () => {
  it('uploads the photo once across retries of a failed resolve, and again for another file', async () => {
    const uploads: string[] = [];
    const resolves: Array<string | undefined> = [];
    const submit = photoOnce(async (file: { name: string }) => {
      uploads.push(file.name);
      return `id-${uploads.length}`;
    });
    const picked = { name: 'lift.jpg' };
    let offline = true;
    const resolve = async (photoId: string | undefined) => {
      resolves.push(photoId);
      if (offline) throw new TypeError('Failed to fetch');
    };
    await expect(submit(picked, resolve)).rejects.toThrow(TypeError);
    await expect(submit(picked, resolve)).rejects.toThrow(TypeError);
    offline = false;
    expect(await submit(picked, resolve)).toBe(true);
    expect(uploads).toEqual(['lift.jpg']);
    expect(resolves).toEqual(['id-1', 'id-1', 'id-1']);

    const other = { name: 'door.jpg' };
    expect(await submit(other, resolve)).toBe(true);
    expect(uploads).toEqual(['lift.jpg', 'door.jpg']);
    expect(resolves.at(-1)).toBe('id-2');
    expect(await submit(undefined, resolve)).toBe(true);
    expect(resolves.at(-1)).toBeUndefined();
  });

  it('uploads again after a failed upload, and does not resolve when the file was refused before sending', async () => {
    let calls = 0;
    const resolves: Array<string | undefined> = [];
    const submit = photoOnce(async () => {
      calls += 1;
      if (calls === 1) throw new TypeError('Failed to fetch');
      return calls === 2 ? undefined : 'id';
    });
    const resolve = async (photoId: string | undefined) => void resolves.push(photoId);
    const file = { name: 'x.jpg' };
    await expect(submit(file, resolve)).rejects.toThrow(TypeError);
    expect(await submit(file, resolve)).toBe(false);
    expect(resolves).toEqual([]);
    expect(await submit(file, resolve)).toBe(true);
    expect(resolves).toEqual(['id']);
    expect(calls).toBe(3);
  });
});
