/**
 * The login limit cannot be raced (issue 15, item 1): an attempt takes its slot before its
 * password is checked, so guesses sent at once are counted as they arrive, not after scrypt.
 * A real hub over HTTP; the client addresses are set by X-Forwarded-For from a trusted proxy
 * (TRUST_PROXY=127.0.0.1), as behind the reverse proxy the docs recommend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import type { Hub } from '../../src/hub.ts';
import { TEST_PASSWORD } from '../../src/testing/access.fixture.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { getJson, startTestHub, writeFleetRegistry } from '../helpers/test-hub.ts';

let hub: Hub;
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  dir = await tempDir('login-race');
  const registry = await writeFleetRegistry(dir.path, ['h1']);
  hub = await startTestHub({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry.file, TRUST_PROXY: '127.0.0.1' });
});
afterAll(async () => {
  await hub?.stop();
  await dir?.remove();
});

function loginRequest(host: string, username: string, password: string, from: string): string {
  const body = JSON.stringify({ username, password });
  return [
    'POST /api/auth/login HTTP/1.1',
    `Host: ${host}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Forwarded-For: ${from}`,
    '',
    body,
  ].join('\r\n');
}

/** Sends the requests pipelined on one connection (all in flight at once, in this order) and reads the answers in order. */
function pipelined(requests: string[]): Promise<Array<{ status: number; body: any }>> {
  const url = new URL(hub.info.httpUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(requests.join('')));
    let buffer = Buffer.alloc(0);
    const answers: Array<{ status: number; body: any }> = [];
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) break;
        const head = buffer.subarray(0, end).toString();
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < end + 4 + length) break;
        const text = buffer.subarray(end + 4, end + 4 + length).toString();
        answers.push({ status: Number(head.split(' ')[1]), body: text ? JSON.parse(text) : undefined });
        buffer = buffer.subarray(end + 4 + length);
      }
      if (answers.length === requests.length) {
        socket.end();
        resolve(answers);
      }
    });
    socket.on('error', reject);
  });
}

async function login(username: string, password: string, from: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${hub.info.httpUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify({ username, password }),
  });
  return { status: res.status, body: await res.json() };
}

const count = (answers: Array<{ status: number }>, status: number) => answers.filter((a) => a.status === status).length;

describe('the login limit under concurrent guesses', () => {
  it('39 wrong guesses and the right password sent at once from one address: 5 are checked, the rest and the right one get 429', async () => {
    const host = new URL(hub.info.httpUrl).host;
    const guesses = Array.from({ length: 39 }, (_, i) => loginRequest(host, 'zhao', `wrong-guess-${i}`, '203.0.113.7'));
    const answers = await pipelined([...guesses, loginRequest(host, 'zhao', TEST_PASSWORD, '203.0.113.7')]);
    expect(answers).toHaveLength(40);
    expect(count(answers, 401)).toBe(5);
    expect(count(answers, 429)).toBe(35);
    expect(count(answers, 200)).toBe(0);
    const right = answers.at(-1)!;
    expect(right.status).toBe(429);
    expect(right.body).toMatchObject({ error: 'RATE_LIMITED', scope: 'account', lockedUntil: expect.any(Number), retryAfterSec: expect.any(Number) });
    // Still locked a moment later, from that address and from any other: the account is throttled, not only the address.
    expect(await login('zhao', TEST_PASSWORD, '203.0.113.7')).toMatchObject({ status: 429, body: { scope: 'account' } });
    expect(await login('zhao', TEST_PASSWORD, '198.51.100.20')).toMatchObject({ status: 429, body: { scope: 'account' } });
    // Another login from the same address is not locked out by zhao's.
    expect((await login('qian', TEST_PASSWORD, '203.0.113.7')).status).toBe(200);
    // Refusals and the lock are in the audit log, with the address.
    const { entries } = await getJson<{ entries: Array<{ actor: string; action: string; address?: string }> }>(hub, '/api/admin/audit?actor=zhao&limit=200');
    const of = (action: string) => entries.filter((e) => e.action === action);
    expect(of('login_failed')).toHaveLength(5);
    expect(of('login_refused').length).toBeGreaterThanOrEqual(37);
    expect(of('account_locked').length).toBeGreaterThanOrEqual(1);
    expect(of('login_refused').every((e) => e.address === '203.0.113.7' || e.address === '198.51.100.20')).toBe(true);
  });

  it('40 wrong guesses over 40 connections at once: exactly 5 are checked; then the right password is refused', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => login('wang', `wrong-guess-${i}`, '203.0.113.8')));
    expect(count(answers, 401)).toBe(5);
    expect(count(answers, 429)).toBe(35);
    expect(await login('wang', TEST_PASSWORD, '203.0.113.8')).toMatchObject({ status: 429, body: { error: 'RATE_LIMITED', scope: 'account' } });
  });

  it('an address that tries many accounts is throttled after 30 attempts, other addresses are not', async () => {
    const answers = await Promise.all(Array.from({ length: 35 }, (_, i) => login(`nobody-${i}`, 'wrong-guess', '203.0.113.9')));
    expect(count(answers, 401)).toBe(30);
    expect(count(answers, 429)).toBe(5);
    expect(await login('li', TEST_PASSWORD, '203.0.113.9')).toMatchObject({ status: 429, body: { scope: 'address' } });
    expect((await login('li', TEST_PASSWORD, '198.51.100.21')).status).toBe(200);
  });
});
