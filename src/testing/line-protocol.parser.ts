/**
 * A line-protocol parser for tests, written from the InfluxDB 1.x line protocol reference
 * (https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/) and the
 * behaviour of its parser, independently of the hub's writer:
 *
 *   measurement[,tag_key=tag_value…] field_key=field_value[,field_key=field_value…] [timestamp]
 *
 * - While splitting, a backslash takes the next character with it (so an escaped separator is
 *   not one); unescaped, `,` and ` ` end a measurement, `=` `,` ` ` end tag keys and values.
 * - Measurements unescape `\,` and `\ `; tag keys, tag values and field keys unescape `\,` `\=`
 *   and `\ `; any other backslash stays as it is.
 * - String field values are in double quotes and unescape `\"` and `\\`; any other backslash stays.
 * - Integers end in `i`; floats are decimal (no NaN or Infinity); booleans t/T/true/True/TRUE, f/…/FALSE.
 * - Tag keys, tag values and field keys are not empty, and none is given twice; an unescaped `=`
 *   in a tag value is an error.
 */

export type ParsedField =
  | { type: 'float'; value: number }
  | { type: 'integer'; value: bigint }
  | { type: 'boolean'; value: boolean }
  | { type: 'string'; value: string };

export interface ParsedLine {
  measurement: string;
  tags: Array<[string, string]>;
  fields: Array<[string, ParsedField]>;
  timestamp?: bigint;
}

class Cursor {
  i = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.i >= this.text.length;
  }

  /** Raw text up to the first unescaped character of `stops` (not consumed). */
  until(stops: string): string {
    const start = this.i;
    while (this.i < this.text.length && !stops.includes(this.text[this.i]!)) {
      this.i += this.text[this.i] === '\\' ? 2 : 1;
    }
    this.i = Math.min(this.i, this.text.length);
    return this.text.slice(start, this.i);
  }

  take(expected: string): void {
    if (this.text[this.i] !== expected) throw new Error(`expected ${JSON.stringify(expected)} at ${this.i} in ${JSON.stringify(this.text)}`);
    this.i += 1;
  }
}

/** Replaces `\x` by `x` for the given characters x, leaving every other backslash alone. */
function unescape(raw: string, escapable: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i += 1) {
    if (raw[i] === '\\' && i + 1 < raw.length && escapable.includes(raw[i + 1]!)) {
      out += raw[i + 1];
      i += 1;
    } else out += raw[i];
  }
  return out;
}

function name(raw: string, what: string): string {
  if (raw === '') throw new Error(`empty ${what}`);
  return unescape(raw, ',= ');
}

function fieldValue(cursor: Cursor): ParsedField {
  if (cursor.text[cursor.i] === '"') {
    cursor.i += 1;
    let raw = '';
    for (;;) {
      if (cursor.done) throw new Error('unterminated string');
      const c = cursor.text[cursor.i]!;
      if (c === '\\' && cursor.i + 1 < cursor.text.length) {
        raw += c + cursor.text[cursor.i + 1];
        cursor.i += 2;
      } else if (c === '"') {
        cursor.i += 1;
        return { type: 'string', value: unescape(raw, '"\\') };
      } else {
        raw += c;
        cursor.i += 1;
      }
    }
  }
  const raw = cursor.until(', ');
  if (/^[+-]?\d+i$/.test(raw)) return { type: 'integer', value: BigInt(raw.slice(0, -1)) };
  if (/^(t|T|true|True|TRUE)$/.test(raw)) return { type: 'boolean', value: true };
  if (/^(f|F|false|False|FALSE)$/.test(raw)) return { type: 'boolean', value: false };
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw) && Number.isFinite(Number(raw))) return { type: 'float', value: Number(raw) };
  throw new Error(`invalid field value ${JSON.stringify(raw)}`);
}

/** Parses one line; throws where InfluxDB 1.x would refuse it. */
export function parseLine(line: string): ParsedLine {
  if (/[\n]/.test(line)) throw new Error('a line may not contain a newline');
  const cursor = new Cursor(line);
  const measurement = unescape(cursor.until(', '), ', ');
  if (measurement === '') throw new Error('empty measurement');
  const tags: Array<[string, string]> = [];
  while (line[cursor.i] === ',') {
    cursor.i += 1;
    const key = name(cursor.until('=, '), 'tag key');
    cursor.take('=');
    const value = name(cursor.until(',= '), `value of tag ${key}`);
    if (line[cursor.i] === '=') throw new Error(`unescaped = in the value of tag ${key}`);
    if (tags.some(([k]) => k === key)) throw new Error(`tag ${key} given twice`);
    tags.push([key, value]);
  }
  cursor.take(' ');
  const fields: Array<[string, ParsedField]> = [];
  do {
    if (fields.length) cursor.take(',');
    const key = name(cursor.until('=, '), 'field key');
    cursor.take('=');
    if (fields.some(([k]) => k === key)) throw new Error(`field ${key} given twice`);
    fields.push([key, fieldValue(cursor)]);
  } while (line[cursor.i] === ',');
  if (cursor.done) return { measurement, tags, fields };
  cursor.take(' ');
  const timestamp = line.slice(cursor.i);
  if (!/^-?\d+$/.test(timestamp)) throw new Error(`invalid timestamp ${JSON.stringify(timestamp)}`);
  return { measurement, tags, fields, timestamp: BigInt(timestamp) };
}
