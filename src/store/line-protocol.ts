/**
 * Reading → one line of InfluxDB line protocol (ns precision). Hot path: the line is
 * built by string concatenation from per-type tables computed once at load, with no
 * other allocation per point.
 *
 * Time: the reading's ms time plus a tie-break in the sub-millisecond digits, so that two
 * readings of one device never share series and timestamp (InfluxDB would keep one point,
 * fields overwritten and even mixed). With a `seq`, the tie-break is `2 × (seq mod 500,000)` ns:
 * a function of the reading itself, whatever the arrival order, across restarts and spool
 * replays, so a redelivered duplicate lands on its own point again. Without one (status, or a
 * device that sends none) it is `2 × n + 1` ns, `n` a per-device counter (`PointTimes`) that
 * grows with every such reading, mod 500,000. Odd and even never meet.
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

/** Sub-millisecond slots per device: seq readings take the even ns, the others the odd ones. */
const TIE_SLOTS = 500_000;
/** ms times InfluxDB can hold at ns precision (int64 ns): 1677-09-21 … 2262-04-11. */
const MAX_MS = 9_223_372_036_853;

/**
 * The counters of the tie-break of readings without `seq`, one per device (shared by its
 * telemetry, events and status: unique per device is unique per series). One per store.
 * Looked up by compound, then device: those strings come from the topic, so their hashes
 * are cached, where a key made per reading would be hashed anew each time.
 */
export class PointTimes {
  readonly #compounds = new Map<string, Map<string, { n: number }>>();
  #size = 0;

  /** 0, 1, … (mod 500,000) for the readings of one device, in the order they are written. */
  next(compound: string, device: string): number {
    let devices = this.#compounds.get(compound);
    if (devices === undefined) this.#compounds.set(compound, (devices = new Map()));
    const counter = devices.get(device);
    if (counter === undefined) {
      devices.set(device, { n: 1 });
      this.#size += 1;
      return 0;
    }
    const n = counter.n;
    counter.n = n + 1 === TIE_SLOTS ? 0 : n + 1;
    return n;
  }

  /** Devices with a counter. */
  get size(): number {
    return this.#size;
  }
}

const sharedTimes = new PointTimes();

/** Zeros before a tie-break of 0…6 digits (constants: no padding string made per line). */
const ZEROS = ['000000', '00000', '0000', '000', '00', '0', ''];

/** The ns timestamp text of ms time `ms` plus `tie` ns (0 ≤ tie < 1,000,000). */
export function nsTime(ms: number, tie: number): string {
  if (ms > 0) {
    if (tie === 0) return `${ms}000000`;
    const digits = `${tie}`;
    return ms + ZEROS[digits.length]! + digits;
  }
  return String(BigInt(ms) * 1_000_000n + BigInt(tie)); // before 1970: not written by the hub (too old), kept exact anyway
}

/** The tie-break of a reading: from its `seq` when it has one, else the device's next odd slot. */
function tieOf(reading: Reading, seq: number | undefined, times: PointTimes): number {
  if (seq === undefined) return 2 * times.next(reading.compound, reading.device) + 1;
  const slot = seq % TIE_SLOTS;
  return 2 * (slot < 0 ? slot + TIE_SLOTS : slot);
}

/**
 * A line of ms precision (as `Store.writeLine` takes, e.g. alert events) at ns precision: the
 * timestamp gets six zeros. A line without a timestamp (InfluxDB stamps it) stays as it is.
 */
export function msLineToNs(line: string): string {
  const at = line.lastIndexOf(' ');
  if (at < 0 || at === line.length - 1) return line;
  for (let i = line.charCodeAt(at + 1) === 45 ? at + 2 : at + 1; i < line.length; i += 1) {
    const c = line.charCodeAt(i);
    if (c < 48 || c > 57) return line;
  }
  return `${line}000000`;
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
 * The line of a reading, at ns precision (the ms time plus its tie-break, above). Measurement:
 * the device type (telemetry, events) or `device_status`; tags `compound`, `device` (+ `building`,
 * `zone` when set; + `type` for status). `times` holds the counters of readings without `seq`
 * (default: one shared by the process). Throws a HubError (BAD_REQUEST) for a reading that
 * cannot be stored (a field outside the contract or of the wrong kind, no fields, a bad timestamp).
 */
export function toLine(reading: Reading, times: PointTimes = sharedTimes): string {
  if (!Number.isFinite(reading.ts)) throw invalid(reading, 'ts must be a number');
  if (reading.ts > MAX_MS || reading.ts < -MAX_MS) throw invalid(reading, 'ts outside the times InfluxDB can hold');
  const compound = escapeTag(reading.compound);
  const device = escapeTag(reading.device);
  if (compound === '' || device === '') throw invalid(reading, 'empty compound or device');
  const building = reading.tags.building === undefined ? '' : escapeTag(reading.tags.building);
  const zone = reading.tags.zone === undefined ? '' : escapeTag(reading.tags.zone);
  const time = Math.trunc(reading.ts);

  if (reading.kind === 'status') {
    const type = escapeTag(reading.type);
    return `device_status,compound=${compound},device=${device},type=${type} online=${reading.online ? 'true' : 'false'} ${nsTime(time, tieOf(reading, undefined, times))}`;
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
    return `${series} ${code}event=${quoteString(reading.event)}${seq} ${nsTime(time, tieOf(reading, reading.seq, times))}`;
  }
  const fields = formatTelemetry(reading); // before the tie-break: an invalid reading takes no slot
  return `${series} ${fields} ${nsTime(time, tieOf(reading, reading.seq, times))}`;
}
