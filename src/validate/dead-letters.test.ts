import { describe, expect, it } from 'vitest';
import { DeadLetters } from './dead-letters.ts';
import type { Rejection } from '../contracts/readings.ts';

const rejection = (n: number): Rejection => ({
  reason: 'schema',
  detail: `#${n}`,
  topic: 't',
  receivedAt: n,
  sample: '',
  size: 0,
});

describe('DeadLetters', () => {
  it('keeps the newest entries first, bounded by the limit, and counts all', () => {
    const log = new DeadLetters(3);
    for (let n = 1; n <= 5; n += 1) log.add(rejection(n));
    expect(log.list().map((r) => r.detail)).toEqual(['#5', '#4', '#3']);
    expect(log.list(2).map((r) => r.detail)).toEqual(['#5', '#4']);
    expect(log.total).toBe(5);
  });

  it('lists a partly filled log newest first', () => {
    const log = new DeadLetters(10);
    log.add(rejection(1));
    log.add(rejection(2));
    expect(log.list().map((r) => r.detail)).toEqual(['#2', '#1']);
  });
});
