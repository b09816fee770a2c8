/**
 * The validate stage: raw MQTT message (already routed to a registered device) →
 * a typed Reading, or a Rejection with a reason and a human-readable detail.
 * Pure apart from the per-device seq window; never throws on input.
 */
import { isUtf8 } from 'node:buffer';
import type { z } from 'zod';
import type { DeviceTopic } from '../contracts/topics.ts';
import { EVENT_SCHEMAS, TELEMETRY_SCHEMAS, type FieldValue } from '../contracts/payloads.ts';
import type { DeviceTags, Reading, RejectReason } from '../contracts/readings.ts';
import { deviceKey } from '../contracts/device-types.ts';
import { SeqWindow } from './seq-window.ts';

export interface ValidatorOptions {
  maxPayloadBytes: number;
  /** Readings older than this (by device clock) are refused. */
  retentionMs: number;
  /** Readings this far ahead of the hub's clock are refused. */
  futureToleranceMs: number;
}

export type ValidationResult =
  | { ok: true; reading: Reading }
  | { ok: false; reason: RejectReason; detail: string };

function reject(reason: RejectReason, detail: string): ValidationResult {
  return { ok: false, reason, detail };
}

function describeSchemaError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'schema violation';
  const where = issue.path.length ? issue.path.join('.') : '(payload)';
  const more = error.issues.length > 1 ? ` (+${error.issues.length - 1} more)` : '';
  return `${where}: ${issue.message}${more}`;
}

export class PayloadValidator {
  readonly #seq = new SeqWindow();

  constructor(readonly options: ValidatorOptions) {}

  validate(topic: DeviceTopic, tags: DeviceTags, payload: Buffer, receivedAt: number): ValidationResult {
    if (payload.length > this.options.maxPayloadBytes) {
      return reject('too_large', `${payload.length} bytes > limit ${this.options.maxPayloadBytes}`);
    }
    const base = { compound: topic.compound, type: topic.type, device: topic.device, receivedAt, tags };

    if (topic.channel === 'status') {
      const text = payload.toString('utf8');
      if (text !== 'online' && text !== 'offline') return reject('bad_status', 'status must be "online" or "offline"');
      return { ok: true, reading: { ...base, kind: 'status', ts: receivedAt, online: text === 'online' } };
    }

    // JSON is UTF-8 (RFC 8259 §8.1); decoding anything else would turn bytes into U+FFFD silently.
    if (!isUtf8(payload)) return reject('invalid_json', 'payload is not valid UTF-8');
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch (error) {
      return reject('invalid_json', (error as Error).message.slice(0, 200));
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      return reject('invalid_json', 'payload must be a JSON object');
    }

    const schema = topic.channel === 'telemetry' ? TELEMETRY_SCHEMAS[topic.type] : EVENT_SCHEMAS[topic.type];
    const parsed = schema.safeParse(json);
    if (!parsed.success) return reject('schema', describeSchemaError(parsed.error));
    const data = parsed.data as Record<string, FieldValue | undefined>;

    const ts = typeof data.ts === 'number' ? data.ts : receivedAt;
    if (ts > receivedAt + this.options.futureToleranceMs) {
      return reject('future_timestamp', `ts ${ts} is ${Math.round((ts - receivedAt) / 1000)} s ahead of the hub clock`);
    }
    if (ts < receivedAt - this.options.retentionMs) {
      return reject('too_old', `ts ${ts} is older than the retention window`);
    }
    const seq = typeof data.seq === 'number' ? data.seq : undefined;
    if (seq !== undefined && this.#seq.check(deviceKey(topic), seq) === 'duplicate') {
      return reject('duplicate_seq', `seq ${seq} already received`);
    }

    if (topic.channel === 'event') {
      const reading: Reading = { ...base, kind: 'event', ts, event: data.event as string };
      if (seq !== undefined) reading.seq = seq;
      if (typeof data.code === 'string') reading.code = data.code;
      return { ok: true, reading };
    }
    const fields: Record<string, FieldValue> = {};
    for (const [name, value] of Object.entries(data)) {
      if (name !== 'ts' && name !== 'seq' && value !== undefined) fields[name] = value;
    }
    const reading: Reading = { ...base, kind: 'telemetry', ts, fields };
    if (seq !== undefined) reading.seq = seq;
    return { ok: true, reading };
  }
}
