/** The HTTPS files: read and checked at start, with the setting to blame in every error. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHttpsFiles } from './https.server.ts';

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
