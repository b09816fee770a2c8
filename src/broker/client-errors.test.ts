import { describe, expect, it } from 'vitest';
import { countedError, refusalOf } from './client-errors.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('refusalOf', () => {
  it('counts a CONNECT that takes too long, and every protocol violation Aedes ends a connection for', () => {
    expect(refusalOf(new Error('connect did not arrive in time'))).toBe('connect_timeout');
    for (const message of ['# is not allowed in PUBLISH', '+ is not allowed in PUBLISH', 'topic has too many levels', 'Invalid protocol', 'Invalid header flag bits, must be 0x0 for connect packet']) {
      expect(refusalOf(new Error(message)), message).toBe('protocol');
    }
  });

  it('does not count a device going away, or a refusal the broker counted already', () => {
    expect(refusalOf(withCode('read ECONNRESET', 'ECONNRESET'))).toBeUndefined();
    expect(refusalOf(withCode('Premature close', 'ERR_STREAM_PREMATURE_CLOSE'))).toBeUndefined();
    expect(refusalOf(new Error('keep alive timeout'))).toBeUndefined();
    expect(refusalOf(countedError('publish not authorised'))).toBeUndefined();
    expect(refusalOf(new Error('publish not authorised'))).toBe('protocol');
  });
});
