/**
 * What the validate stage hands on: a reading accepted from a device. Shared by
 * store, rules and live so that every stage speaks the same shape.
 */
import type { DeviceRef } from './device-types.ts';
import type { FieldValue } from './payloads.ts';

export interface DeviceTags {
  building?: string;
  zone?: string;
}

interface ReadingBase extends DeviceRef {
  /** Sample time, ms epoch: the device's `ts`, or receive time when absent. */
  ts: number;
  /** When the hub received it, ms epoch. */
  receivedAt: number;
  tags: DeviceTags;
}

export interface TelemetryReading extends ReadingBase {
  kind: 'telemetry';
  seq?: number;
  fields: Record<string, FieldValue>;
}

export interface EventReading extends ReadingBase {
  kind: 'event';
  seq?: number;
  event: string;
  code?: string;
}

export interface StatusReading extends ReadingBase {
  kind: 'status';
  online: boolean;
}

export type Reading = TelemetryReading | EventReading | StatusReading;

/** Why an inbound message was refused. Every rejection is counted by one of these. */
export const REJECT_REASONS = [
  'bad_topic',
  'unknown_type',
  'unknown_device',
  'too_large',
  'invalid_json',
  'schema',
  'future_timestamp',
  'too_old',
  'duplicate_seq',
  'bad_status',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface Rejection {
  reason: RejectReason;
  /** Human-readable detail, e.g. the failing path of a schema violation. */
  detail: string;
  topic: string;
  receivedAt: number;
  /** First bytes of the payload, for the dead-letter log. */
  sample: string;
  size: number;
}
