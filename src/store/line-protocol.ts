/**
 * Reading → one line of InfluxDB line protocol (ms precision). Hot path: the line is
 * built by string concatenation from per-type tables computed once at load, with no
 * other allocation per point.
 *
 * Escaping (https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/):
 * - measurement: `,` and space; tag keys, tag values, field keys: `,` `=` and space;
 * - string field values: `"` and `\`;
 * - newline, carriage return and tab become the two characters `\n`, `\r`, `\t`, so a line
 *   never contains a raw newline (the write body and the spool are split on newlines);
 * - a run of backslashes right before an escaped character is doubled, so it cannot
 *   swallow the escape; trailing backslashes are dropped from names and tag values,
 *   because InfluxDB 1.x rejects a tag value ending in one even when it is escaped.
 * Identifiers are validated upstream (ids, registry tags); this escaping is defence.
 * Free text that must come back exactly (alert notes) goes through `quoteText` and
 * `readStoredText`: line breaks survive the round trip through InfluxDB.
 */
import { HubError } from '../errors.ts';
import { DEVICE_TYPES, type DeviceType } from '../contracts/device-types.ts';
import { TELEMETRY_FIELDS, type FieldSpec } from '../contracts/payloads.ts';
import type { Reading, TelemetryReading } from '../contracts/readings.ts';

const BACKSLASH = 92;
const TAG_SPECIALS = /[,= \\\n\r\t]/;
const MEASUREMENT_SPECIALS = /[, \\\n\r\t]/;
const STRING_SPECIALS = /["\\\n\r]/;

function escapeSlow(value: string, escapeEquals: boolean): string {
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === BACKSLASH) end -= 1;
  let out = '';
  let i = 0;
  while (i < end) {
    const c = value[i]!;
    if (c === '\\') {
      let j = i + 1;
      while (value[j] === '\\') j += 1; // j < end: trailing backslashes were cut off
      const next = value[j];
      const escapesNext = next === ',' || next === ' ' || (escapeEquals && next === '=');
      out += escapesNext ? value.slice(i, j) + value.slice(i, j) : value.slice(i, j);
      i = j;
      continue;
    }
    if (c === ',') out += '\\,';
    else if (c === ' ') out += '\\ ';
    else if (c === '=' && escapeEquals) out += '\\=';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else out += c;
    i += 1;
  }
  return out;
}

/** Tag keys, tag values and field keys. May return '' (for '' or only backslashes). */
export function escapeTag(value: string): string {
  return TAG_SPECIALS.test(value) ? escapeSlow(value, true) : value;
}

export function escapeMeasurement(value: string): string {
  return MEASUREMENT_SPECIALS.test(value) ? escapeSlow(value, false) : value;
}

/** A string field value, quoted: `"` and `\` escaped, newlines as `\n`. */
export function quoteString(value: string): string {
  if (!STRING_SPECIALS.test(value)) return `"${value}"`;
  let out = '"';
  for (let i = 0; i < value.length; i += 1) {
    const c = value[i]!;
    if (c === '"') out += '\\"';
    else if (c === '\\') out += '\\\\';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else out += c;
  }
  return `${out}"`;
}

/**
 * Free text as a string field that reads back exactly: InfluxDB keeps the `\n` that stands in
 * for a line break as two characters, so the stored text also writes a backslash as `\\`,
 * and `readStoredText` turns both back.
 */
export function quoteText(value: string): string {
  return quoteString(value.replace(/[\\\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : '\\r')));
}

/** The text `quoteText` wrote, from what InfluxDB stored (a lone backslash, as older lines hold, stays). */
export function readStoredText(stored: string): string {
  return stored.replace(/\\([\\nr])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
}

function invalid(reading: Reading, why: string): HubError {
  return new HubError('BAD_REQUEST', `reading of ${reading.compound}/${reading.type}/${reading.device} cannot be stored: ${why}`);
}

/** One stored field of a type: its name, its escaped key and `=`, and its kind. */
interface FieldColumn {
  name: string;
  prefix: string;
  kind: FieldSpec['kind'] | 'seq';
}

/** Telemetry fields of each type plus `seq`, in key order (as InfluxDB and the client's Point sort them). */
const TELEMETRY_COLUMNS = Object.fromEntries(
  DEVICE_TYPES.map((type) => {
    const specs: Record<string, FieldSpec> = TELEMETRY_FIELDS[type];
    const columns: FieldColumn[] = Object.keys(specs).map((name) => ({ name, prefix: `${escapeTag(name)}=`, kind: specs[name]!.kind }));
    columns.push({ name: 'seq', prefix: 'seq=', kind: 'seq' });
    return [type, columns.sort((a, b) => (a.name < b.name ? -1 : 1))];
  }),
) as Record<DeviceType, FieldColumn[]>;

const MEASUREMENTS = Object.fromEntries(DEVICE_TYPES.map((type) => [type, escapeMeasurement(type)])) as Record<DeviceType, string>;

function intValue(reading: Reading, name: string, value: unknown): string {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid(reading, `${name} must be an integer`);
  return `${value}i`;
}

function formatTelemetry(reading: TelemetryReading): string {
  const columns = TELEMETRY_COLUMNS[reading.type];
  if (columns === undefined) throw invalid(reading, 'unknown device type');
  const values = reading.fields;
  let out = '';
  let matched = 0;
  for (const column of columns) {
    const value = column.kind === 'seq' ? reading.seq : values[column.name];
    if (value === undefined) continue;
    let text: string;
    switch (column.kind) {
      case 'int':
      case 'seq':
        text = intValue(reading, column.name, value);
        break;
      case 'float':
        // Any finite number: "3" is a float literal in line protocol, only "3i" is an integer.
        if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(reading, `${column.name} must be a finite number`);
        text = String(value);
        break;
      case 'bool':
        if (typeof value !== 'boolean') throw invalid(reading, `${column.name} must be a boolean`);
        text = value ? 'true' : 'false';
        break;
      case 'enum':
      case 'string':
        if (typeof value !== 'string') throw invalid(reading, `${column.name} must be a string`);
        text = quoteString(value);
        break;
    }
    out += out === '' ? column.prefix + text : `,${column.prefix}${text}`;
    if (column.kind !== 'seq') matched += 1;
  }
  let present = 0;
  for (const name in values) if (values[name] !== undefined) present += 1;
  if (present !== matched) throw invalid(reading, 'it carries a field the payload contract does not know');
  if (matched === 0) throw invalid(reading, 'no fields');
  return out;
}

/**
 * The line of a reading. Measurement: the device type (telemetry, events) or
 * `device_status`; tags `compound`, `device` (+ `building`, `zone` when set; + `type`
 * for status). Throws a HubError (BAD_REQUEST) for a reading that cannot be stored
 * (a field outside the contract or of the wrong kind, no fields, a bad timestamp).
 */
export function toLine(reading: Reading): string {
  if (!Number.isFinite(reading.ts)) throw invalid(reading, 'ts must be a number');
  const compound = escapeTag(reading.compound);
  const device = escapeTag(reading.device);
  if (compound === '' || device === '') throw invalid(reading, 'empty compound or device');
  const building = reading.tags.building === undefined ? '' : escapeTag(reading.tags.building);
  const zone = reading.tags.zone === undefined ? '' : escapeTag(reading.tags.zone);
  const time = Math.trunc(reading.ts);

  if (reading.kind === 'status') {
    const type = escapeTag(reading.type);
    return `device_status,compound=${compound},device=${device},type=${type} online=${reading.online ? 'true' : 'false'} ${time}`;
  }
  const measurement = MEASUREMENTS[reading.type];
  if (measurement === undefined) throw invalid(reading, 'unknown device type');
  // Tag keys in lexical order: building < compound < device < zone.
  const series =
    (building === '' ? measurement : `${measurement},building=${building}`) +
    `,compound=${compound},device=${device}` +
    (zone === '' ? '' : `,zone=${zone}`);

  if (reading.kind === 'event') {
    if (typeof reading.event !== 'string' || reading.event === '') throw invalid(reading, 'event must be a non-empty string');
    const code = reading.code === undefined ? '' : `code=${quoteString(reading.code)},`;
    const seq = reading.seq === undefined ? '' : `,seq=${intValue(reading, 'seq', reading.seq)}`;
    return `${series} ${code}event=${quoteString(reading.event)}${seq} ${time}`;
  }
  return `${series} ${formatTelemetry(reading)} ${time}`;
}
