/**
 * Compounds map to K partitions by a stable hash of the compound id (design.md §10): the first
 * four bytes of its SHA-256, modulo K. The same id gives the same partition in every instance,
 * every version and every language that can compute SHA-256, so an instance, an operator's
 * script and a broker ACL generator agree on where a compound lives.
 */
import { createHash } from 'node:crypto';

/** Partitions unless configured otherwise. */
export const DEFAULT_PARTITIONS = 64;

/** The partition (0 … partitions − 1) of a compound. */
export function partitionOf(compound: string, partitions: number = DEFAULT_PARTITIONS): number {
  if (!Number.isSafeInteger(partitions) || partitions < 1) throw new RangeError(`partitions: expected a whole number ≥ 1, got ${partitions}`);
  return createHash('sha256').update(compound, 'utf8').digest().readUInt32BE(0) % partitions;
}

/** The MQTT client id of a partition's persistent session (`compound-hub-p{k}`): the same for whichever instance owns it. */
export const partitionClientId = (partition: number): string => `compound-hub-p${partition}`;
