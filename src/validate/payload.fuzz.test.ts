/**
 * Property tests of the payload validator (fast-check, fixed seed, bounded runs and time):
 * whatever bytes a device sends, the validator answers without throwing, with a reading
 * that holds only contract fields of their contract kinds, or with a coded rejection; and
 * no payload reaches Object.prototype.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PayloadValidator, type ValidationResult } from './payload.validator.ts';
import { EVENT_NAMES, TELEMETRY_FIELDS, fieldSpec, type FieldSpec } from '../contracts/payloads.ts';
import { DEVICE_CHANNELS, type DeviceTopic } from '../contracts/topics.ts';
import { DEVICE_TYPES } from '../contracts/device-types.ts';
import { REJECT_REASONS } from '../contracts/readings.ts';

const SEED = 20_260_601;
const RUN = { seed: SEED, numRuns: 3000, interruptAfterTimeLimit: 8000 } as const;
const NOW = 1_800_000_000_000;
const OPTIONS = { maxPayloadBytes: 4096, retentionMs: 90 * 86_400_000, futureToleranceMs: 300_000 };

const topicArb: fc.Arbitrary<DeviceTopic> = fc.record({
  compound: fc.constant('c01'),
  type: fc.constantFrom(...DEVICE_TYPES),
  device: fc.constantFrom('d1', 'd2'),
  channel: fc.constantFrom(...DEVICE_CHANNELS),
});

/** A value's JSON text: mostly right for its field, often subtly or wildly wrong. */
function valueText(spec: FieldSpec | undefined): fc.Arbitrary<string> {
  const hostile = fc.constantFrom(
    '1e999', '-1e999', '9007199254740993', '-9007199254740993', '1e308', '5e-324', '-0', '0.1', '1.0', '"NaN"', '"Infinity"',
    '"-Infinity"', 'null', 'true', '"1"', '[]', '{}', '{"__proto__":{"polluted":1}}', '"\\u0000"', '"a\\nb"', '"x\\\\"',
  );
  const any = fc.jsonValue().map((v) => JSON.stringify(v));
  const right = (() => {
    switch (spec?.kind) {
      case 'int':
        return fc.integer({ min: spec.min - 2, max: spec.max + 2 }).map(String);
      case 'float':
        return fc.double({ min: spec.min - 1, max: spec.max + 1, noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n));
      case 'bool':
        return fc.boolean().map(String);
      case 'enum':
        return fc.oneof(fc.constantFrom(...spec.values), fc.string({ maxLength: 8 })).map((s) => JSON.stringify(s));
      default:
        return any;
    }
  })();
  return fc.oneof({ weight: 12, arbitrary: right }, { weight: 2, arbitrary: hostile }, { weight: 1, arbitrary: any });
}

/** Keys no payload may carry, and keys of other device types. */
const STRANGE_KEYS = [
  ...new Set(Object.values(TELEMETRY_FIELDS).flatMap((fields) => Object.keys(fields))),
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'polluted', '',
];

function valueFor(type: DeviceTopic['type'], key: string): fc.Arbitrary<string> {
  switch (key) {
    case 'ts':
      return fc.oneof(fc.integer({ min: NOW - 100 * 86_400_000, max: NOW + 600_000 }).map(String), valueText(undefined));
    case 'seq':
      return fc.oneof(fc.nat({ max: 50 }).map(String), valueText(undefined));
    case 'event':
      return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...EVENT_NAMES[type]).map((e) => JSON.stringify(e)) }, { weight: 1, arbitrary: valueText(undefined) });
    case 'code':
      return fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,32}$/).map((c) => JSON.stringify(c)), valueText({ kind: 'string' }));
    default:
      return valueText(fieldSpec(type, key));
  }
}

/** One `"key":value` entry: mostly keys of the channel's contract, sometimes strange ones. */
function entryText(type: DeviceTopic['type'], channel: DeviceTopic['channel']): fc.Arbitrary<string> {
  const own = channel === 'event' ? ['code', 'ts', 'seq'] : [...Object.keys(TELEMETRY_FIELDS[type]), 'ts', 'seq'];
  const key = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...own) },
    { weight: 1, arbitrary: fc.constantFrom(...STRANGE_KEYS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  );
  return key.chain((k) => valueFor(type, k).map((v) => `${JSON.stringify(k)}:${v}`));
}

/** A JSON object text built entry by entry (so `__proto__` is a real key); events usually name one. */
function objectText(topic: DeviceTopic): fc.Arbitrary<Buffer> {
  const first = topic.channel === 'event' ? valueFor(topic.type, 'event').map((v) => [`"event":${v}`]) : fc.constant([]);
  return fc.tuple(first, fc.array(entryText(topic.type, topic.channel), { maxLength: 4 })).map(([a, b]) => Buffer.from(`{${[...a, ...b].join(',')}}`));
}

/** A payload: mostly a JSON object, sometimes any JSON text or any bytes at all. */
const messageArb = topicArb.chain((topic) =>
  fc.tuple(
    fc.constant(topic),
    fc.oneof(
      { weight: 8, arbitrary: objectText(topic) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
      { weight: 1, arbitrary: fc.oneof(fc.json(), fc.constantFrom('online', 'offline', 'ONLINE', '')).map((text) => Buffer.from(text)) },
    ),
  ),
);

/** Does a stored value fit its contract field kind? */
function fits(spec: FieldSpec, value: unknown): boolean {
  switch (spec.kind) {
    case 'int':
      return Number.isSafeInteger(value) && (value as number) >= spec.min && (value as number) <= spec.max;
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) && value >= spec.min && value <= spec.max;
    case 'bool':
      return typeof value === 'boolean';
    case 'enum':
      return typeof value === 'string' && (spec.values as readonly string[]).includes(value);
    case 'string':
      return typeof value === 'string' && value.length <= 64;
  }
}

/** Checks one answer against the contract; returns what is wrong, or undefined. */
function contractBreach(topic: DeviceTopic, result: ValidationResult): string | undefined {
  if (!result.ok) {
    if (!(REJECT_REASONS as readonly string[]).includes(result.reason)) return `unknown reason ${result.reason}`;
    return typeof result.detail === 'string' && result.detail.length > 0 ? undefined : 'rejection without a detail';
  }
  const r = result.reading;
  if (r.compound !== topic.compound || r.type !== topic.type || r.device !== topic.device) return 'reading of another device';
  if (!Number.isSafeInteger(r.ts) || r.ts <= 0 || r.ts > NOW + OPTIONS.futureToleranceMs || r.ts < NOW - OPTIONS.retentionMs) return `ts ${r.ts}`;
  if (r.kind === 'status') return topic.channel === 'status' ? undefined : 'status from another channel';
  if (r.seq !== undefined && !(Number.isSafeInteger(r.seq) && r.seq >= 0)) return `seq ${r.seq}`;
  if (r.kind === 'event') {
    if (topic.channel !== 'event') return 'event from another channel';
    if (!(EVENT_NAMES[topic.type] as readonly string[]).includes(r.event)) return `event ${r.event}`;
    if (r.code !== undefined && !/^[A-Za-z0-9_.:-]{1,32}$/.test(r.code)) return `code ${r.code}`;
    const extra = Object.keys(r).filter((k) => !['compound', 'type', 'device', 'receivedAt', 'tags', 'kind', 'ts', 'seq', 'event', 'code'].includes(k));
    return extra.length ? `event with ${extra.join(',')}` : undefined;
  }
  if (topic.channel !== 'telemetry') return 'telemetry from another channel';
  if (Object.getPrototypeOf(r.fields) !== Object.prototype) return 'fields with another prototype';
  const names = Object.keys(r.fields);
  if (names.length === 0) return 'telemetry without fields';
  const specs: Record<string, FieldSpec> = TELEMETRY_FIELDS[topic.type];
  for (const name of names) {
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (!spec) return `field ${name} outside the contract`;
    if (!fits(spec, r.fields[name])) return `field ${name} = ${String(r.fields[name])}`;
  }
  return undefined;
}

const prototypeKeys = () => [Object.prototype, Array.prototype, Function.prototype].map((p) => Object.getOwnPropertyNames(p).sort().join(','));
let before: string[];
beforeAll(() => {
  before = prototypeKeys();
});
afterAll(() => {
  expect(prototypeKeys()).toEqual(before);
});

describe('PayloadValidator (property)', () => {
  it('answers every message without throwing: a reading within the contract, or a coded rejection', () => {
    const validator = new PayloadValidator(OPTIONS);
    let accepted = 0;
    fc.assert(
      fc.property(messageArb, ([topic, payload]) => {
        const result = validator.validate(topic, {}, payload, NOW);
        expect(contractBreach(topic, result)).toBeUndefined();
        if (result.ok) accepted += 1;
      }),
      RUN,
    );
    // The generator reaches both sides: a property over rejections only would prove little.
    expect(accepted).toBeGreaterThan(100);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps accepting the same payload the same way, and refuses its redelivery by seq', () => {
    fc.assert(
      fc.property(messageArb, ([topic, payload]) => {
        const first = new PayloadValidator(OPTIONS).validate(topic, {}, payload, NOW);
        const again = new PayloadValidator(OPTIONS).validate(topic, {}, payload, NOW);
        expect(again).toEqual(first);
        if (first.ok && first.reading.kind !== 'status' && first.reading.seq !== undefined) {
          const validator = new PayloadValidator(OPTIONS);
          validator.validate(topic, {}, payload, NOW);
          expect(validator.validate(topic, {}, payload, NOW)).toMatchObject({ ok: false, reason: 'duplicate_seq' });
        }
      }),
      { ...RUN, numRuns: 1000 },
    );
  });
});
