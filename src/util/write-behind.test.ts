import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { writeBehind } from './write-behind.ts';

function recordingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push((JSON.parse(chunk.toString()) as { msg: string }).msg);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('write behind', () => {
  it('writes the changes of a moment together, and at once when asked', async () => {
    let writes = 0;
    const { logger } = recordingLogger();
    const kept = writeBehind(async () => void (writes += 1), { delayMs: 30, logger, what: 'things', failure: 'x' });
    kept.changed();
    kept.changed();
    kept.changed();
    expect(writes).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(writes).toBe(1);
    kept.changed(true);
    await kept.flush();
    expect(writes).toBe(2);
    await kept.flush(); // nothing pending: no write
    expect(writes).toBe(2);
  });

  it('keeps trying a write that fails (the database gone away) until it succeeds, logging the failure once', async () => {
    let failures = 3;
    let written = 0;
    const { logger, lines } = recordingLogger();
    const kept = writeBehind(
      async () => {
        if (failures > 0) {
          failures -= 1;
          throw new Error('connection refused');
        }
        written += 1;
      },
      { delayMs: 5, retryMs: 20, logger, what: 'sessions', failure: 'a restart would log out what changed since' },
    );
    kept.changed();
    await expect.poll(() => written, { timeout: 2000 }).toBe(1);
    expect(lines.filter((l) => l.startsWith('SESSIONS NOT SAVED'))).toHaveLength(1);
    expect(lines).toContain('sessions saved again');
  });
});
