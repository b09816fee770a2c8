/**
 * Payload contract (design.md §4). One field table per device type is the single
 * source of truth: the zod schemas, the stored field types (int / float / bool /
 * string) and the queryable field list are all derived from it.
 */
import { z } from 'zod';
import { DEVICE_TYPES, type DeviceType } from './device-types.ts';

export type FieldSpec =
  | { kind: 'int'; min: number; max: number }
  | { kind: 'float'; min: number; max: number }
  | { kind: 'bool' }
  | { kind: 'enum'; values: readonly [string, ...string[]] }
  /** Free text; only the event name and fault code are stored as strings. */
  | { kind: 'string' };

export type FieldValue = number | boolean | string;

const int = (min: number, max: number): FieldSpec => ({ kind: 'int', min, max });
const float = (min: number, max: number): FieldSpec => ({ kind: 'float', min, max });
const bool: FieldSpec = { kind: 'bool' };
const oneOf = (...values: [string, ...string[]]): FieldSpec => ({ kind: 'enum', values });

export const TELEMETRY_FIELDS = {
  elevator: {
    floor: int(-20, 300),
    direction: oneOf('up', 'down', 'idle'),
    doorOpen: bool,
    moving: bool,
    speed: float(0, 20),
    loadPct: float(0, 250),
    occupied: bool,
    mode: oneOf('normal', 'inspection', 'maintenance', 'fire'),
  },
  manhole: {
    tiltDeg: float(0, 180),
    displaced: bool,
    open: bool,
    waterLevelCm: float(0, 10_000),
    gasPpm: float(0, 1_000_000),
    h2sPpm: float(0, 100_000),
    batteryPct: float(0, 100),
  },
  fire_lane: {
    occupied: bool,
    objectType: oneOf('car', 'ebike', 'goods', 'unknown'),
    confidence: float(0, 1),
  },
  parking: {
    occupied: bool,
    spaceKind: oneOf('resident', 'visitor', 'charging', 'fire'),
  },
} as const satisfies Record<DeviceType, Record<string, FieldSpec>>;

export const EVENT_NAMES = {
  elevator: [
    'trapped',
    'door_open_while_moving',
    'overspeed',
    'stopped_outside_door_zone',
    'top_overrun',
    'bottom_overrun',
    'alarm_button',
    'ebike_detected',
    'power_loss',
    'fault',
  ],
  manhole: ['tamper', 'impact'],
  fire_lane: ['blocked', 'cleared'],
  parking: ['vehicle_in', 'vehicle_out'],
} as const satisfies Record<DeviceType, readonly [string, ...string[]]>;

export type TelemetryFieldName<T extends DeviceType> = keyof (typeof TELEMETRY_FIELDS)[T] & string;
export type EventName<T extends DeviceType> = (typeof EVENT_NAMES)[T][number];

/** Fields stored for events (in the device type's measurement, beside telemetry fields). */
export const EVENT_FIELDS: Record<'event' | 'code', FieldSpec> = {
  event: { kind: 'string' },
  code: { kind: 'string' },
};

const common = {
  /** Device clock, ms since epoch. */
  ts: z.number().int().positive().optional(),
  /** Per-device increasing sequence number, used to drop QoS 1 duplicates. */
  seq: z.number().int().nonnegative().optional(),
};

function fieldSchema(spec: FieldSpec): z.ZodType<FieldValue> {
  switch (spec.kind) {
    case 'int':
      return z.number().int().min(spec.min).max(spec.max);
    case 'float':
      return z.number().min(spec.min).max(spec.max);
    case 'bool':
      return z.boolean();
    case 'enum':
      return z.enum(spec.values);
    case 'string':
      return z.string().max(64);
  }
}

function telemetrySchemaFor(type: DeviceType) {
  const shape: Record<string, z.ZodType> = { ...common };
  for (const [name, spec] of Object.entries(TELEMETRY_FIELDS[type])) {
    shape[name] = fieldSchema(spec).optional();
  }
  return z
    .strictObject(shape)
    .refine((obj) => Object.keys(obj).some((k) => k !== 'ts' && k !== 'seq'), {
      message: 'telemetry must carry at least one field',
    });
}

/** Fault codes are free-form vendor codes, kept short and tag-safe. */
const FAULT_CODE = z.string().regex(/^[A-Za-z0-9_.:-]{1,32}$/, 'code must be 1-32 chars of [A-Za-z0-9_.:-]');

function eventSchemaFor(type: DeviceType) {
  return z.strictObject({ ...common, event: z.enum(EVENT_NAMES[type]), code: FAULT_CODE.optional() });
}

function buildPerType<S>(build: (type: DeviceType) => S): Record<DeviceType, S> {
  return Object.fromEntries(DEVICE_TYPES.map((t) => [t, build(t)])) as Record<DeviceType, S>;
}

export const TELEMETRY_SCHEMAS = buildPerType(telemetrySchemaFor);
export const EVENT_SCHEMAS = buildPerType(eventSchemaFor);

/** Telemetry payload of a type, as a device sends it. */
export type TelemetryPayload<T extends DeviceType = DeviceType> = {
  ts?: number;
  seq?: number;
} & Partial<{ [K in TelemetryFieldName<T>]: FieldValue }>;

export interface EventPayload<T extends DeviceType = DeviceType> {
  ts?: number;
  seq?: number;
  event: EventName<T>;
  code?: string;
}

export const STATUS_PAYLOADS = ['online', 'offline'] as const;

/** Names of fields that can be queried from history for a type (telemetry + event fields). */
export function queryableFields(type: DeviceType): string[] {
  return [...Object.keys(TELEMETRY_FIELDS[type]), 'event', 'code'];
}

/** The stored kind of a field of a type, or undefined if the type has no such field. */
export function fieldSpec(type: DeviceType, field: string): FieldSpec | undefined {
  if (field === 'event' || field === 'code') return EVENT_FIELDS[field];
  const fields: Record<string, FieldSpec> = TELEMETRY_FIELDS[type];
  return Object.hasOwn(fields, field) ? fields[field] : undefined;
}
