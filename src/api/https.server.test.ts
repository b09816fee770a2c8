/** The HTTPS files: read and checked at start, with the setting to blame in every error. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Logger } from 'pino';
import type { FastifyServerOptions } from 'fastify';
import { httpsServerFactory, readHttpsFiles, watchCertificate } from './https.server.ts';

const run = promisify(execFile);
let dir: string;
let cert: string;
let key: string;
let otherKey: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'https-files-'));
  [cert, key, otherKey] = ['hub.crt', 'hub.key', 'other.key'].map((f) => path.join(dir, f)) as [string, string, string];
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...ec, '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=hub']);
  await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', otherKey]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('readHttpsFiles', () => {
  it('reads a certificate and its key', async () => {
    const options = await readHttpsFiles({ cert, key });
    expect(String(options.cert)).toContain('BEGIN CERTIFICATE');
    expect(String(options.key)).toContain('PRIVATE KEY');
  });

  it('names the setting whose file cannot be read', async () => {
    await expect(readHttpsFiles({ cert: path.join(dir, 'missing.crt'), key })).rejects.toThrow(/^HTTPS_CERT: cannot read .*missing\.crt \(ENOENT\)/);
    await expect(readHttpsFiles({ cert, key: path.join(dir, 'missing.key') })).rejects.toThrow(/^HTTPS_KEY: cannot read .*missing\.key \(ENOENT\)/);
  });

  it('refuses a key that does not belong to the certificate, and a file that is not PEM', async () => {
    await expect(readHttpsFiles({ cert, key: otherKey })).rejects.toThrow(/^HTTPS_CERT\/HTTPS_KEY: not a usable PEM certificate and key/);
    const junk = path.join(dir, 'junk.crt');
    await writeFile(junk, 'not a certificate\n');
    await expect(readHttpsFiles({ cert: junk, key })).rejects.toThrow(/^HTTPS_CERT\/HTTPS_KEY: not a usable/);
  });
});

describe('httpsServerFactory', () => {
  it('applies the timeouts fastify gives it (fastify sets them only on servers it makes itself)', async () => {
    const factory = httpsServerFactory(await readHttpsFiles({ cert, key }));
    const server = factory(() => undefined, { requestTimeout: 30_000, keepAliveTimeout: 72_000, connectionTimeout: 0 } as FastifyServerOptions);
    expect(server.requestTimeout).toBe(30_000);
    expect(server.keepAliveTimeout).toBe(72_000);
    server.close();
  });
});

describe('watchCertificate', () => {
  it('logs the served certificate now, after a reload and on each check, warning when it expires within 14 days', async () => {
    vi.useFakeTimers();
    try {
      const lines: Array<{ level: string; msg: string }> = [];
      const logger = { info: (_o: object, msg: string) => lines.push({ level: 'info', msg }), warn: (_o: object, msg: string) => lines.push({ level: 'warn', msg }) } as unknown as Logger;
      const watch = watchCertificate(await readHttpsFiles({ cert, key }), logger, 1000);
      // The throwaway certificate is valid for a day.
      expect(lines).toEqual([{ level: 'warn', msg: 'HTTPS certificate expires in 0 days: renew it and kill -HUP the hub' }]);
      vi.advanceTimersByTime(2500);
      expect(lines).toHaveLength(3);
      expect(watch.served(await readHttpsFiles({ cert, key })).subject).toBe('CN=hub');
      expect(lines).toHaveLength(4);
      watch.stop();
      vi.advanceTimersByTime(5000);
      expect(lines).toHaveLength(4);
    } finally {
      vi.useRealTimers();
    }
  });
});
