import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RefusalLog } from './refusal-log.ts';

describe('refusal log', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('writes the first refusal of a reason at once, then one line per interval with the count', () => {
    const lines: Array<{ fields: Record<string, unknown>; message: string }> = [];
    const log = new RefusalLog({ warn: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }) } as never, 10_000);
    for (let i = 0; i < 2000; i += 1) log.note('connect', 'bad_credentials', { detail: `try ${i}` });
    log.note('connect', 'client_id', { detail: 'other' });
    expect(lines.map((l) => [l.fields.reason, l.fields.detail])).toEqual([['bad_credentials', 'try 0'], ['client_id', 'other']]);
    vi.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(3);
    expect(lines[2]!.fields).toMatchObject({ action: 'connect', reason: 'bad_credentials', count: 1999, last: { detail: 'try 1999' } });
    // Quiet for an interval: the next refusal is written at once again.
    vi.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(3);
    vi.advanceTimersByTime(10_000);
    log.note('connect', 'bad_credentials', { detail: 'later' });
    expect(lines).toHaveLength(4);
    log.note('connect', 'bad_credentials', { detail: 'later again' });
    log.flush();
    expect(lines).toHaveLength(5);
    expect(lines[4]!.fields).toMatchObject({ count: 1 });
  });
});
