/** The notice cache: one build per key per TTL, errors not kept, never more than `max` entries. */
import { describe, expect, it } from 'vitest';
import { NoticeCache } from './notice.cache.ts';

describe('NoticeCache', () => {
  it('builds once per key while fresh, again once the TTL is over', () => {
    let now = 1000;
    let builds = 0;
    const cache = new NoticeCache<number>({ ttlMs: 10_000, max: 10, now: () => now });
    const make = () => ++builds;
    expect(cache.get('a', make)).toBe(1);
    now += 9_999;
    expect(cache.get('a', make)).toBe(1);
    expect(cache.get('b', make)).toBe(2);
    now += 1;
    expect(cache.get('a', make)).toBe(3);
    expect(builds).toBe(3);
  });

  it('keeps no error: the next ask builds again', () => {
    const cache = new NoticeCache<string>({ ttlMs: 10_000, max: 10, now: () => 0 });
    expect(() => cache.get('x', () => { throw new Error('unknown building'); })).toThrow('unknown building');
    expect(cache.size).toBe(0);
    expect(cache.get('x', () => 'ok')).toBe('ok');
  });

  it('holds at most `max` entries: expired ones go first, then the oldest', () => {
    let now = 0;
    const cache = new NoticeCache<string>({ ttlMs: 100, max: 3, now: () => now });
    cache.get('a', () => 'a');
    now = 50;
    cache.get('b', () => 'b');
    cache.get('c', () => 'c');
    now = 120; // a has expired
    cache.get('d', () => 'd');
    expect(cache.size).toBe(3);
    expect(cache.get('b', () => 'rebuilt')).toBe('b');
    cache.get('e', () => 'e'); // full, nothing expired: the oldest (b) goes
    expect(cache.size).toBe(3);
    expect(cache.get('c', () => 'rebuilt')).toBe('c');
    expect(cache.get('b', () => 'rebuilt')).toBe('rebuilt');
  });
});
