/** The recent window of the feed: cursors, pages, the window's end (expired cursors), restarts, duplicates, scope filters. */
import { describe, expect, it } from 'vitest';
import { FeedRing } from './feed.ring.ts';
import type { FeedEntry } from '../contracts/northbound.ts';

const entry = (id: string, compound = 'c01', source = 'district-a'): FeedEntry => ({
  v: 1,
  id,
  kind: 'alert_event',
  at: 1,
  source,
  compound: { id: compound, name: compound },
  alert: { id: 'a', rule: 'r', name: { zh: '', en: '' }, severity: 'major', type: 'elevator', workflow: 'new', condition: 'active', raisedAt: 1 },
  event: { kind: 'raised', at: 1, by: 'hub' },
});
const ids = (r: ReturnType<FeedRing['read']>) => (r.ok ? r.items.map((i) => i.entry.id) : r.reason);

describe('feed ring', () => {
  it('pages from the oldest with cursors, and says when more wait', () => {
    const ring = new FeedRing(10, 'b00t');
    for (const id of ['e1', 'e2', 'e3']) ring.add(entry(id));
    const first = ring.read(undefined, 2);
    expect(ids(first)).toEqual(['e1', 'e2']);
    expect(first).toMatchObject({ ok: true, next: 'b00t.2', more: true, oldest: 'b00t.0' });
    const second = ring.read('b00t.2', 2);
    expect(ids(second)).toEqual(['e3']);
    expect(second).toMatchObject({ next: 'b00t.3', more: false });
    // Nothing new: the same cursor back.
    expect(ring.read('b00t.3', 2)).toMatchObject({ ok: true, items: [], next: 'b00t.3', more: false });
    ring.add(entry('e4'));
    expect(ids(ring.read('b00t.3', 2))).toEqual(['e4']);
  });

  it('answers expired for a cursor older than the window or from an earlier process, invalid for one it never gave', () => {
    const ring = new FeedRing(3, 'b00t');
    for (const id of ['e1', 'e2', 'e3', 'e4', 'e5']) ring.add(entry(id));
    expect(ring.length).toBe(3);
    expect(ids(ring.read(undefined, 10))).toEqual(['e3', 'e4', 'e5']);
    expect(ring.read(undefined, 10)).toMatchObject({ oldest: 'b00t.2' });
    // b00t.2 still reaches e3; b00t.1 would have needed e2, which is gone.
    expect(ids(ring.read('b00t.2', 10))).toEqual(['e3', 'e4', 'e5']);
    expect(ids(ring.read('b00t.1', 10))).toBe('expired');
    expect(ids(ring.read('cafe.4', 10))).toBe('expired');
    expect(ids(ring.read('b00t.6', 10))).toBe('invalid');
    expect(ids(ring.read('nonsense', 10))).toBe('invalid');
  });

  it('keeps an entry of one source and id once, but the same id from another source apart', () => {
    const ring = new FeedRing(10);
    expect(ring.add(entry('e1'))).toBe(true);
    expect(ring.add(entry('e1'))).toBe(false);
    expect(ring.add(entry('e1', 'c01', 'district-b'))).toBe(true);
    expect(ring.has({ source: 'district-a', id: 'e1' })).toBe(true);
    expect(ring.length).toBe(2);
  });

  it('forgets the ids of entries that left the window', () => {
    const ring = new FeedRing(1);
    ring.add(entry('e1'));
    ring.add(entry('e2'));
    expect(ring.has({ source: 'district-a', id: 'e1' })).toBe(false);
    expect(ring.add(entry('e1'))).toBe(true);
  });

  it('filters by scope and still moves the cursor past what it left out', () => {
    const ring = new FeedRing(10, 'b00t');
    ring.add(entry('x1', 'c02'));
    ring.add(entry('e1', 'c01'));
    ring.add(entry('x2', 'c02'));
    const keep = (e: FeedEntry) => e.kind === 'alert_event' && e.compound.id === 'c01';
    const page = ring.read(undefined, 10, keep);
    expect(ids(page)).toEqual(['e1']);
    expect(page).toMatchObject({ next: 'b00t.3', more: false });
    // The limit counts entries given: a page of one stops right after it.
    const small = ring.read(undefined, 1, keep);
    expect(ids(small)).toEqual(['e1']);
    expect(small).toMatchObject({ next: 'b00t.2', more: true });
  });
});
