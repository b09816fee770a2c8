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

describe('sessions across a restart', () => {
  it('are listed, and restored without what is over, held to the idle and absolute limits and to the per-user limit', () => {
    const before = new Sessions(options);
    const a = before.create('zhao', 0);
    const b = before.create('wang', 100);
    expect(before.list().map((s) => s.userId)).toEqual(['zhao', 'wang']);
    expect(before.list()[0]).not.toBe(a.session); // copies

    const after = new Sessions(options);
    after.restore(before.list(), 500);
    expect(after.touch(a.token, 600)?.userId).toBe('zhao');
    expect(after.touch(b.token, 600)?.userId).toBe('wang');
    // Over at `now` (idle): dropped.
    const late = new Sessions(options);
    late.restore([{ id: a.session.id, userId: 'zhao', createdAt: 0, expiresAt: 1000 }], 1000);
    expect(late.size).toBe(0);
    // A longer idle expiry kept by a run with a longer SESSION_IDLE is held to this run's limits.
    const shorter = new Sessions(options);
    shorter.restore([{ id: a.session.id, userId: 'zhao', createdAt: 0, expiresAt: 60_000 }], 4500);
    expect(shorter.list()[0]!.expiresAt).toBe(5000); // the absolute limit
    shorter.restore([{ id: b.session.id, userId: 'wang', createdAt: 4000, expiresAt: 60_000 }], 4500);
    expect(shorter.list().find((s) => s.userId === 'wang')!.expiresAt).toBe(5500); // now + idle
    // At most maxPerUser per user: the newest stay.
    const many = new Sessions(options);
    many.restore(
      [3, 1, 2].map((n) => ({ id: `s${n}`, userId: 'li', createdAt: n, expiresAt: 900 })),
      10,
    );
    expect(many.list().map((s) => s.id)).toEqual(['s2', 's3']);
  });

  it('tell listeners what changed: a login, a request that moved the expiry, an end', () => {
    const sessions = new Sessions(options);
    const changes: string[] = [];
    sessions.onChange((change) => changes.push(change));
    const { token } = sessions.create('zhao', 0);
    sessions.touch(token, 10);
    sessions.touch(token, 10); // same expiry: nothing to keep
    sessions.end(token);
    sessions.end(token);
    expect(changes).toEqual(['created', 'touched', 'ended']);
  });
});
