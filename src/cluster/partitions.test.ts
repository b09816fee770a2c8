import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARTITIONS, partitionClientId, partitionOf } from './partitions.ts';

describe('partitionOf', () => {
  it('is the first four bytes of the id\'s SHA-256 modulo K: stable, and the same as any other SHA-256 gives', () => {
    for (const id of ['c01', 'c001', 'xihu-cuiyuan-1', '翠苑一区']) {
      const expected = createHash('sha256').update(id).digest().readUInt32BE(0) % DEFAULT_PARTITIONS;
      expect(partitionOf(id)).toBe(expected);
    }
    // Known answers (sha256('c01') begins 121f8bd5, sha256('c001') 26c0829c): a change of the hash
    // cannot pass unnoticed, as instances of two versions would then disagree on where a compound lives.
    expect(partitionOf('c01')).toBe(0x121f8bd5 % 64);
    expect(partitionOf('c001')).toBe(0x26c0829c % 64);
    expect(partitionOf('c01', 1)).toBe(0);
  });

  it('spreads 300 compounds over 64 partitions without leaving many empty or piling many on one', () => {
    const counts = new Array<number>(DEFAULT_PARTITIONS).fill(0);
    for (let i = 1; i <= 300; i++) counts[partitionOf(`c${String(i).padStart(3, '0')}`)]!++;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(300);
    expect(Math.max(...counts)).toBeLessThanOrEqual(15);
    expect(counts.filter((c) => c === 0).length).toBeLessThanOrEqual(6);
  });

  it('refuses a partition count that is not a whole number ≥ 1, and names the session of a partition', () => {
    expect(() => partitionOf('c01', 0)).toThrow(/partitions: expected a whole number ≥ 1, got 0/);
    expect(() => partitionOf('c01', 2.5)).toThrow(RangeError);
    expect(partitionClientId(7)).toBe('compound-hub-p7');
  });
});
