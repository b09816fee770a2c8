/**
 * Throwaway certificates for TLS tests, made with the `openssl` command in a temp dir: a CA, and
 * server and client certificates it signs (EC P-256 keys, valid for a day). Files only, so the
 * same paths go to the hub (MQTT_TLS_*), to Mosquitto's config and to mosquitto_pub/sub.
 *
 *   const ca = await createCa(dir, 'test-ca');
 *   const server = await issueCertificate(ca, { cn: 'hub', san: ['DNS:localhost', 'IP:127.0.0.1'] });
 *   const device = await issueCertificate(ca, { cn: 'h1/elevator/elev-01', client: true });
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertFiles {
  /** PEM certificate. */
  cert: string;
  /** PEM private key (unencrypted). */
  key: string;
}

export interface TestCa extends CertFiles {
  dir: string;
  name: string;
}

/** `-subj` value for a common name (a device key's slashes escaped: `/` separates the subject's parts). */
const subject = (cn: string) => `/CN=${cn.replace(/[\\/,+=]/g, (c) => `\\${c}`)}`;

/** Turns a name into a file name. */
const fileName = (name: string) => name.replace(/[^A-Za-z0-9_.-]+/g, '_');

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const e = error as Error & { stderr?: string };
    throw new Error(`openssl ${args[0]}: ${e.stderr?.trim() || e.message}`);
  }
}

/** Mosquitto started as root reads its files as the `mosquitto` user: throwaway keys may be world-readable. */
async function readable(files: CertFiles): Promise<void> {
  await Promise.all([chmod(files.cert, 0o644), chmod(files.key, 0o644)]);
}

/** A self-signed CA in `dir` (which Mosquitto must be able to enter: see `certsDir`). */
export async function createCa(dir: string, name: string): Promise<TestCa> {
  const base = path.join(dir, fileName(name));
  const files = { cert: `${base}.crt`, key: `${base}.key` };
  await openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', files.key, '-out', files.cert, '-days', '1', '-subj', subject(name),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await readable(files);
  return { ...files, dir, name };
}

export interface CertificateRequest {
  /** Subject common name: the device key (`compound/type/device`) for a device's certificate. */
  cn: string;
  /** subjectAltName entries, e.g. `DNS:localhost`, `IP:127.0.0.1` (servers). */
  san?: string[];
  /** A client certificate (extendedKeyUsage clientAuth) instead of a server one. */
  client?: boolean;
  /** File name (default: from the common name). */
  name?: string;
}

/** A certificate signed by `ca`, in the CA's dir. */
export async function issueCertificate(ca: TestCa, request: CertificateRequest): Promise<CertFiles> {
  const base = path.join(ca.dir, fileName(request.name ?? `${ca.name}-${request.cn}`));
  const files = { cert: `${base}.crt`, key: `${base}.key` };
  const ext = `${base}.ext`;
  const lines = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', `extendedKeyUsage=${request.client ? 'clientAuth' : 'serverAuth'}`];
  if (request.san?.length) lines.push(`subjectAltName=${request.san.join(',')}`);
  await writeFile(ext, `${lines.join('\n')}\n`);
  await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', files.key, '-out', `${base}.csr`, '-subj', subject(request.cn)]);
  await openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', files.cert, '-days', '1', '-extfile', ext]);
  await readable(files);
  return files;
}

/** A temp-dir subfolder for certificates that a Mosquitto dropped to its own user can read. */
export async function certsDir(parent: string): Promise<string> {
  const dir = path.join(parent, 'certs');
  await mkdir(dir, { recursive: true });
  await Promise.all([chmod(parent, 0o755), chmod(dir, 0o755)]);
  return dir;
}
