/**
 * HTTPS without a proxy (issue 15): a hub process with HTTPS_CERT / HTTPS_KEY from a throwaway CA
 * (openssl) serves the API, the dashboard and the live socket over TLS on its HTTP port, to a
 * client that trusts the CA. The session cookie is Secure, HSTS is sent, plain HTTP gets no API,
 * a client that does not trust the CA is refused by its own check, and `kill -HUP` takes a renewed
 * certificate without a restart (a broken one is reported and the old one stays).
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { TEST_PASSWORD } from '../../src/testing/access.fixture.ts';
import { certsDir, createCa, issueCertificate, type CertFiles, type TestCa } from '../helpers/certs.ts';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { writeFleetRegistry } from '../helpers/test-hub.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let ca: TestCa;
let served: CertFiles;
let renewed: CertFiles;
let caPem: Buffer;
let hub: HubProcess;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The certificate the hub presented. */
  peer: PeerCertificate;
}

/** One HTTPS request to the hub, trusting `trust` (default: the test CA). */
function request(path: string, init: { method?: string; body?: object; cookie?: string; trust?: Buffer | 'system' } = {}): Promise<Answer> {
  const url = new URL(path, hub.info.httpUrl);
  const body = init.body ? JSON.stringify(init.body) : undefined;
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: init.method ?? 'GET',
        ...(init.trust === 'system' ? {} : { ca: init.trust ?? caPem }),
        // A fresh connection each time: a reloaded certificate shows on the next handshake.
        agent: false,
        headers: {
          origin: url.origin,
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...(init.cookie ? { cookie: init.cookie } : {}),
        },
        timeout: 5000,
      },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerCertificate();
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, peer }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

async function login(user = 'zhao'): Promise<Answer> {
  return request('/api/auth/login', { method: 'POST', body: { username: user, password: TEST_PASSWORD } });
}

beforeAll(async () => {
  dir = await tempDir('https');
  const certs = await certsDir(dir.path);
  ca = await createCa(certs, 'https-test-ca');
  caPem = await readFile(ca.cert);
  const san = ['DNS:localhost', 'IP:127.0.0.1'];
  const first = await issueCertificate(ca, { cn: 'hub', san, name: 'first' });
  renewed = await issueCertificate(ca, { cn: 'hub', san, name: 'renewed' });
  // The files the hub is given: renewal writes new contents to the same paths, as certbot's deploy hooks do.
  served = { cert: `${certs}/hub.crt`, key: `${certs}/hub.key` };
  await copyFile(first.cert, served.cert);
  await copyFile(first.key, served.key);
  const registry = await writeFleetRegistry(dir.path, ['h1']);
  hub = await startHubProcess({ DATA_DIR: `${dir.path}/data`, REGISTRY_FILE: registry.file, INFLUX_MANAGED: 'off', HTTPS_CERT: served.cert, HTTPS_KEY: served.key });
}, 90_000);
afterAll(async () => {
  await hub?.stop();
  await dir?.remove();
});

describe('a hub with HTTPS_CERT and HTTPS_KEY', () => {
  it('says https in its start banner and serves the dashboard and the API over TLS', async () => {
    expect(hub.info.httpUrl).toMatch(/^https:/);
    expect(hub.log()).toMatch(/https:\/\/127\.0\.0\.1:\d+\//);
    const page = await request('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="app"');
    expect(page.peer.subject?.CN).toBe('hub');
    expect(page.peer.issuer?.CN).toBe('https-test-ca');
  });

  it('sends Strict-Transport-Security, and a session cookie marked Secure, HttpOnly and SameSite=Strict', async () => {
    const health = await request('/healthz');
    expect(health.status).toBe(200);
    expect(health.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
    const res = await login();
    expect(res.status).toBe(200);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0] ?? '';
    expect(cookie).toMatch(/^ch_session=/);
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Strict/i);
    const me = await request('/api/auth/me', { cookie: cookie.split(';')[0] });
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body).user.id).toBe('zhao');
  });

  it('carries the live socket over TLS (wss) to a client that trusts the CA', async () => {
    const cookie = ([] as string[]).concat((await login()).headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
    const socket = io(hub.info.httpUrl, { transports: ['websocket'], reconnection: false, forceNew: true, ca: caPem.toString(), extraHeaders: { cookie } });
    try {
      const hello = await new Promise<{ id: string }>((resolve, reject) => {
        socket.once('hello', resolve);
        socket.once('connect_error', reject);
      });
      expect(hello.id).toBe('zhao');
      const answer = await socket.timeout(5000).emitWithAck('subscribe', { compounds: ['h1'], detail: 'devices' });
      expect(answer.ok).toBe(true);
    } finally {
      socket.close();
    }
  });

  it('is refused by a client that does not trust its CA, and answers no API over plain HTTP', async () => {
    await expect(request('/healthz', { trust: 'system' })).rejects.toThrow(/certificate/i);
    const plain = hub.info.httpUrl.replace(/^https:/, 'http:');
    const outcome = await fetch(`${plain}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'zhao', password: TEST_PASSWORD }),
      signal: AbortSignal.timeout(5000),
    }).then(
      (res) => `status ${res.status}`,
      (error: Error) => `failed: ${error.message}`,
    );
    expect(outcome).not.toBe('status 200');
  });

  it('takes a renewed certificate on kill -HUP without a restart, and keeps the old one when the new files are broken', async () => {
    const pid = hub.pid;
    const before = (await request('/healthz')).peer.fingerprint256;
    await copyFile(renewed.cert, served.cert);
    await copyFile(renewed.key, served.key);
    hub.kill('SIGHUP');
    await waitFor(() => hub.log().includes('HTTPS certificate reloaded'));
    const after = (await request('/healthz')).peer.fingerprint256;
    expect(after).not.toBe(before);
    expect(hub.pid).toBe(pid);
    // The throwaway certificates are valid for a day: the start and the reload warn of it.
    expect(hub.log()).toMatch(/HTTPS certificate expires in 0 days: renew it/);
    // The reload is in the audit log.
    const cookie = ([] as string[]).concat((await login('root')).headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
    await expect
      .poll(async () => JSON.parse((await request('/api/admin/audit?action=https_certificate_reloaded', { cookie })).body).entries)
      .toEqual([expect.objectContaining({ actor: 'hub', note: expect.stringMatching(/CN=hub, valid to \d{4}-/) })]);

    await writeFile(served.cert, 'not a certificate\n');
    hub.kill('SIGHUP');
    await waitFor(() => hub.log().includes('HTTPS certificate not reloaded'));
    expect(hub.log()).toMatch(/HTTPS_CERT\/HTTPS_KEY: not a usable PEM certificate and key/);
    const still = await request('/healthz');
    expect(still.status).toBe(200);
    expect(still.peer.fingerprint256).toBe(after);
  });
});

/** Polls `check` every 100 ms for up to 10 s. */
async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 100));
  expect(check()).toBe(true);
}
