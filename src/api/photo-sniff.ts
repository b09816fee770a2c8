/** What an uploaded photo is, by its first bytes (never by what the client declares): JPEG, PNG or WebP, or nothing. */
import type { PhotoType } from '../contracts/alert-photos.ts';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function photoTypeOf(data: Buffer): PhotoType | undefined {
  if (data.length >= 4 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 16 && data.subarray(0, 8).equals(PNG)) return 'image/png';
  if (data.length >= 16 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}
