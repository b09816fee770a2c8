import { describe, expect, it } from 'vitest';
import { photoTypeOf } from './photo-sniff.ts';

const padded = (head: number[] | string) => Buffer.concat([Buffer.from(typeof head === 'string' ? Buffer.from(head, 'latin1') : head), Buffer.alloc(32)]);

describe('photoTypeOf', () => {
  it('knows JPEG, PNG and WebP by their first bytes', () => {
    expect(photoTypeOf(padded([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(photoTypeOf(padded([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('image/png');
    expect(photoTypeOf(padded('RIFF\x10\x00\x00\x00WEBPVP8 '))).toBe('image/webp');
  });

  it('refuses anything else, whatever it is called', () => {
    expect(photoTypeOf(padded('GIF89a'))).toBeUndefined();
    expect(photoTypeOf(padded('<svg xmlns="http://www.w3.org/2000/svg">'))).toBeUndefined();
    expect(photoTypeOf(padded('RIFF\x10\x00\x00\x00WAVEfmt '))).toBeUndefined();
    expect(photoTypeOf(Buffer.from([0xff, 0xd8]))).toBeUndefined();
    expect(photoTypeOf(Buffer.alloc(0))).toBeUndefined();
  });
});
