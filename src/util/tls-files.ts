/** PEM files for a TLS server, read and checked at start with the setting's name in every error. */
import { readFile } from 'node:fs/promises';
import tls from 'node:tls';
import { HubError } from '../errors.ts';

/** A PEM file a setting names (`MQTT_TLS_CERT`, `HTTPS_KEY`…), or a CONFIG_INVALID error naming the setting. */
export async function readPem(setting: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new HubError('CONFIG_INVALID', `${setting}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * Throws CONFIG_INVALID unless the options make a secure context (a certificate and the key
 * that matches it, a CA that parses); `names` say which settings to blame.
 */
export function checkSecureContext(options: tls.SecureContextOptions, names: { pair: string; ca?: string }): void {
  try {
    tls.createSecureContext(options);
  } catch (error) {
    const message = (error as Error).message;
    const setting = names.ca && options.ca && /ca|issuer/i.test(message) ? names.ca : names.pair;
    throw new HubError('CONFIG_INVALID', `${setting}: not a usable PEM certificate and key (${message})`);
  }
}
