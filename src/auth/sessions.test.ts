import { describe, expect, it } from 'vitest';
import { Sessions } from './sessions.ts';

const options = { idleMs: 1000, absoluteMs: 5000, maxPerUser: 2 };

describe('sessions', () => {
  it('slides the idle expiry on use and ends at the absolute limit', () => {
    const sessions = new Sessions(options);
    const { token } = sessions.create('zhao', 0);
    expect(sessions.touch(token, 900)?.userId).toBe('zhao');
    expect(sessions.touch(token, 1800)?.userId).toBe('zhao');
    expect(sessions.touch(token, 2700)?.userId).toBe('zhao');
    expect(sessions.touch(token, 3600)?.userId).toBe('zhao');
    expect(sessions.touch(token, 4500)?.userId).toBe('zhao');
    expect(sessions.touch(token, 5000)).toBeUndefined();
    const idle = sessions.create('zhao', 0).token;
    expect(sessions.touch(idle, 1000)).toBeUndefined();
  });

  it('knows tokens only by digest, ends sessions on logout, per user, beyond the per-user limit, and tells listeners', () => {
    const sessions = new Sessions(options);
    const ended: string[] = [];
    sessions.onEnded((s) => ended.push(s.userId));
    const a = sessions.create('wang', 0);
    expect(a.session.id).not.toBe(a.token);
    expect(sessions.touch(`${a.token}x`, 1)).toBeUndefined();
    sessions.create('wang', 1);
    sessions.create('wang', 2); // the third: the oldest ends
    expect(sessions.touch(a.token, 3)).toBeUndefined();
    expect(ended).toEqual(['wang']);
    const b = sessions.create('li', 3);
    sessions.end(b.token);
    expect(sessions.touch(b.token, 4)).toBeUndefined();
    const keep = sessions.create('li', 5);
    sessions.create('li', 5);
    sessions.endUser('li', keep.session.id);
    expect(sessions.touch(keep.token, 6)?.userId).toBe('li');
    sessions.sweep(10_000);
    expect(sessions.size).toBe(0);
  });
});
