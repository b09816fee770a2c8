/**
 * Reading → one line of InfluxDB line protocol (ms precision). Hot path: builds the
 * string directly. Escaping follows the line protocol spec; identifiers are already
 * validated upstream, but every tag and field is escaped regardless.
 */
import { fieldSpec } from '../contracts/payloads.ts';
import type { Reading } from '../contracts/readings.ts';

const TAG_SPECIALS = /[,= \n\r\t\\]/;
const MEASUREMENT_SPECIALS = /[, \n\r\t\\]/;

function escapeWith(value: string, specials: RegExp, chars: RegExp): string {
  if (!specials.test(value)) return value;
  return value
    .replace(/[\n\r\t]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'))
    .replace(chars, '\\$&');
}

/** Tag keys, tag values and field keys: commas, equals signs and spaces are escaped. */
export function escapeTag(value: string): string {
  return escapeWith(value, TAG_SPECIALS, /[,= ]/g);
}

export function escapeMeasurement(value: string): string {
  return escapeWith(value, MEASUREMENT_SPECIALS, /[, ]/g);
}

/** String field values: double quotes and backslashes are escaped. */
export function quoteString(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

function formatField(type: Reading['type'], name: string, value: number | boolean | string): string {
  const spec = fieldSpec(type, name);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return quoteString(value);
  if (spec?.kind === 'int') return `${Math.trunc(value)}i`;
  // A float field must never look like an int to InfluxDB: "1" is a float literal already.
  return Number.isFinite(value) ? String(value) : '0';
}

export function toLine(reading: Reading): string {
  // Tag keys in lexical order, as InfluxDB prefers: building < compound < device < type < zone.
  const { building, zone } = reading.tags;
  const ids = `compound=${escapeTag(reading.compound)},device=${escapeTag(reading.device)}`;
  const line =
    reading.kind === 'status'
      ? `device_status,${ids},type=${escapeTag(reading.type)}`
      : `${escapeMeasurement(reading.type)}${building !== undefined ? `,building=${escapeTag(building)}` : ''},${ids}` +
        (zone !== undefined ? `,zone=${escapeTag(zone)}` : '');

  let fields = '';
  const add = (name: string, value: string) => {
    fields += fields ? `,${escapeTag(name)}=${value}` : `${escapeTag(name)}=${value}`;
  };
  switch (reading.kind) {
    case 'status':
      add('online', reading.online ? 'true' : 'false');
      break;
    case 'event':
      add('event', quoteString(reading.event));
      if (reading.code !== undefined) add('code', quoteString(reading.code));
      break;
    case 'telemetry':
      for (const name in reading.fields) add(name, formatField(reading.type, name, reading.fields[name]!));
      break;
  }
  if (reading.kind !== 'status' && reading.seq !== undefined) add('seq', `${reading.seq}i`);
  return `${line} ${fields} ${Math.trunc(reading.ts)}`;
}
