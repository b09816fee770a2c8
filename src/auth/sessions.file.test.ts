/** DATA_DIR/sessions.json: what is kept (never a token), when it is written, and what comes back. */
import { afterEach, describe, expect, it } from 'vitest';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { keepSessions, loadSessions, sessionsText } from './sessions.file.ts';
import { Sessions } from './sessions.ts';

const options = { idleMs: 60_000, absoluteMs: 3_600_000, maxPerUser: 5 };
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function sessionsFile(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sessions-file-'));
  dirs.push(dir);
  return path.join(dir, 'sessions.json');
}

/** A logger that keeps its lines. */
function recordingLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const everyone = { isUser: () => true };

describe('loadSessions', () => {
  it('finds none without a file', async () => {
    const { logger, lines } = recordingLogger();
    expect(await loadSessions(await sessionsFile(), { now: 0, ...everyone }, logger)).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('drops sessions that are over and those of users no longer in the users file', async () => {
    const file = await sessionsFile();
    const stored = [
      { id: 'a', userId: 'zhao', createdAt: 0, expiresAt: 2000 },
      { id: 'b', userId: 'zhao', createdAt: 0, expiresAt: 1000 },
      { id: 'c', userId: 'gone', createdAt: 0, expiresAt: 2000 },
    ];
    await writeFile(file, sessionsText(stored));
    const { logger, lines } = recordingLogger();
    expect(await loadSessions(file, { now: 1000, isUser: (id) => id !== 'gone' }, logger)).toEqual([stored[0]]);
    expect(lines.map((l) => l.msg)).toEqual(['sessions of users no longer in the users file dropped']);
  });

  it('reports a broken file or one of another shape, and sets it aside: nobody comes back', async () => {
    const file = await sessionsFile();
    for (const text of ['{"version":1,"sessions":[', '{"version":2,"sessions":[]}', '{"version":1,"sessions":[{"id":"a","userId":"z","createdAt":0,"expiresAt":9,"token":"x"}]}']) {
      await writeFile(file, text);
      const { logger, lines } = recordingLogger();
      expect(await loadSessions(file, { now: 0, ...everyone }, logger)).toEqual([]);
      expect(lines).toMatchObject([{ level: 50, msg: expect.stringMatching(/^SESSIONS NOT RESTORED: the sessions file is not valid/) }]);
    }
  });

  it('reports a file it cannot read', async () => {
    const file = await sessionsFile();
    await mkdir(file); // EISDIR: unreadable as a file, whoever runs the test
    const { logger, lines } = recordingLogger();
    expect(await loadSessions(file, { now: 0, ...everyone }, logger)).toEqual([]);
    expect(lines).toMatchObject([{ level: 50, msg: expect.stringMatching(/^SESSIONS NOT RESTORED: the sessions file cannot be read/) }]);
  });
});

describe('keepSessions', () => {
  it('writes the digests (never a token) with mode 0600: logins and requests after the delay or on flush, an end at once', async () => {
    const file = await sessionsFile();
    const { logger } = recordingLogger();
    const sessions = new Sessions(options);
    const kept = keepSessions(sessions, file, logger, 600_000);
    const now = Date.now();
    const a = sessions.create('zhao', now);
    const b = sessions.create('wang', now);
    await sleep(50);
    await expect(readFile(file, 'utf8')).rejects.toThrow(); // waits for the delay
    await kept.flush();
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(a.token);
    expect(text).not.toContain(b.token);
    expect(JSON.parse(text)).toEqual({
      version: 1,
      sessions: [
        { id: a.session.id, userId: 'zhao', createdAt: now, expiresAt: now + 60_000 },
        { id: b.session.id, userId: 'wang', createdAt: now, expiresAt: now + 60_000 },
      ],
    });
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    // A logout is on disk at once, not after the (here 10-minute) delay: a hub killed right after must not bring it back.
    sessions.end(b.token);
    await expect.poll(async () => (JSON.parse(await readFile(file, 'utf8')) as { sessions: unknown[] }).sessions.length, { timeout: 10_000 }).toBe(1);

    // A request moves the expiry; flush writes it without waiting.
    sessions.touch(a.token, now + 5000);
    await kept.flush();
    expect(JSON.parse(await readFile(file, 'utf8')).sessions[0].expiresAt).toBe(now + 65_000);
  });

  it('writes a burst of changes after the delay, and a restart takes them back', async () => {
    const file = await sessionsFile();
    const { logger } = recordingLogger();
    const sessions = new Sessions(options);
    keepSessions(sessions, file, logger, 100);
    const now = Date.now();
    const tokens = [sessions.create('zhao', now).token, sessions.create('wang', now).token, sessions.create('li', now).token];
    for (let i = 0; i < 50; i += 1) sessions.touch(tokens[i % 3], now + i);
    await expect.poll(async () => (JSON.parse(await readFile(file, 'utf8').catch(() => '{"sessions":[]}')) as { sessions: unknown[] }).sessions.length, { timeout: 10_000 }).toBe(3);
    const back = new Sessions(options);
    back.restore(await loadSessions(file, { now: now + 100, ...everyone }, logger), now + 100);
    expect(tokens.map((t) => back.touch(t, now + 200)?.userId)).toEqual(['zhao', 'wang', 'li']);
  });

  it('logs a failed write once and writes again at the next change', async () => {
    const file = await sessionsFile();
    const dir = path.dirname(file);
    const { logger, lines } = recordingLogger();
    const sessions = new Sessions(options);
    const kept = keepSessions(sessions, file, logger, 10);
    if (process.getuid?.() === 0) {
      // root writes anywhere: make the target a folder instead
      await mkdir(file);
    } else {
      await chmod(dir, 0o500);
    }
    sessions.create('zhao', Date.now());
    await kept.flush();
    sessions.create('wang', Date.now());
    await kept.flush();
    expect(lines.filter((l) => l.level === 50).map((l) => l.msg)).toEqual([expect.stringMatching(/^sessions not saved/)]);
    if (process.getuid?.() === 0) await rm(file, { recursive: true });
    else await chmod(dir, 0o700);
    sessions.create('li', Date.now());
    await kept.flush();
    expect(JSON.parse(await readFile(file, 'utf8')).sessions).toHaveLength(3);
    expect(lines.at(-1)?.msg).toBe('sessions saved again');
  });
});
