/** Device credentials: shared by the broker (verify), the registry tools and the simulators (derive). */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export function hashDeviceSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time check of a presented secret against a stored sha256 hex. */
export function verifyDeviceSecret(secret: string, secretSha256: string): boolean {
  const presented = Buffer.from(hashDeviceSecret(secret), 'hex');
  const stored = Buffer.from(secretSha256, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}

/**
 * Derive a device's secret from a fleet key and the device key, so a generated
 * fleet's registry (hashes) and its simulators (secrets) agree without a secrets file.
 */
export function deriveDeviceSecret(fleetKey: string, deviceKey: string): string {
  return createHmac('sha256', fleetKey).update(deviceKey, 'utf8').digest('base64url').slice(0, 32);
}
