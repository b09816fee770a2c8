import { describe, expect, it } from 'vitest';
import { SeqWindow } from './seq-window.ts';

describe('SeqWindow', () => {
  it('accepts increasing seqs and refuses exact repeats', () => {
    const w = new SeqWindow();
    expect(w.check('d', 1)).toBe('new');
    expect(w.check('d', 2)).toBe('new');
    expect(w.check('d', 2)).toBe('duplicate');
    expect(w.check('d', 1)).toBe('duplicate');
  });

  it('accepts every seq of a shuffled run exactly once', () => {
    const w = new SeqWindow();
    const seqs = Array.from({ length: 200 }, (_, i) => i);
    // Deterministic local shuffle: swap within blocks of 16 (reordering within the window).
    for (let i = 0; i < seqs.length; i += 16) seqs.splice(i, 16, ...seqs.slice(i, i + 16).reverse());
    const accepted = seqs.filter((s) => w.check('d', s) === 'new');
    expect(accepted).toHaveLength(200);
    expect(seqs.filter((s) => w.check('d', s) === 'new')).toHaveLength(0);
  });

  it('tracks devices independently and treats a far lower seq as a counter reset', () => {
    const w = new SeqWindow();
    expect(w.check('a', 5000)).toBe('new');
    expect(w.check('b', 5000)).toBe('new');
    expect(w.check('a', 0)).toBe('new');
    expect(w.check('a', 0)).toBe('duplicate');
    expect(w.check('a', 1)).toBe('new');
  });

  it('keeps the window across large jumps', () => {
    const w = new SeqWindow();
    w.check('d', 10);
    expect(w.check('d', 42)).toBe('new'); // shift of 32: 10 becomes the oldest bit
    expect(w.check('d', 10)).toBe('duplicate');
    expect(w.check('d', 11)).toBe('new');
    expect(w.check('d', 200)).toBe('new');
    expect(w.check('d', 42)).toBe('duplicate'); // below the window: stale
  });
});
