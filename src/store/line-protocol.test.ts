import { describe, expect, it } from 'vitest';
import { Point } from '@influxdata/influxdb-client';
import { escapeMeasurement, escapeTag, quoteString, toLine } from './line-protocol.ts';
import { TELEMETRY_FIELDS, type FieldSpec } from '../contracts/payloads.ts';
import { DEVICE_TYPES, type DeviceType } from '../contracts/device-types.ts';
import type { Reading, TelemetryReading } from '../contracts/readings.ts';
import { isHubError } from '../errors.ts';

const base = { compound: 'c01', device: 'd1', ts: 1_700_000_000_123, receivedAt: 1_700_000_000_200, tags: {} };

/** The same point through the client library's Point (booleans as true/false, as we write them; Point writes T/F). */
function viaPoint(measurement: string, tags: Record<string, string>, fields: Array<[string, FieldSpec['kind'] | 'seq', unknown]>, ts: number): string {
  const point = new Point(measurement);
  for (const [k, v] of Object.entries(tags)) point.tag(k, v);
  for (const [name, kind, value] of fields) {
    if (kind === 'int' || kind === 'seq') point.intField(name, value);
    else if (kind === 'float') point.floatField(name, value);
    else if (kind === 'bool') point.fields[name] = value ? 'true' : 'false';
    else point.stringField(name, value);
  }
  return point.timestamp(String(ts)).toLineProtocol()!;
}

/** A sample value of a field kind. */
function sample(spec: FieldSpec, i: number): number | boolean | string {
  switch (spec.kind) {
    case 'int':
      return spec.min + i;
    case 'float':
      return i % 2 === 0 ? 3 : 0.125 + i; // an integral float must stay a float (no `i`)
    case 'bool':
      return i % 2 === 0;
    case 'enum':
      return spec.values[i % spec.values.length]!;
    case 'string':
      return `s${i}`;
  }
}

/**
 * How InfluxDB 1.x splits a line's series key: a backslash takes the next character
 * with it; an unescaped space ends the key, unescaped commas separate tags. Returns the
 * raw (still escaped) parts, or throws where 1.x would (a tag value ending in a backslash).
 */
function scanSeriesKey(line: string): { measurement: string; tags: Array<[string, string]>; rest: string } {
  const parts: string[] = [];
  let part = '';
  let i = 0;
  for (; i < line.length; i += 1) {
    const c = line[i]!;
    if (c === '\\') {
      part += c + (line[i + 1] ?? '');
      i += 1;
    } else if (c === ',') {
      parts.push(part);
      part = '';
    } else if (c === ' ') break;
    else part += c;
  }
  parts.push(part);
  const [measurement, ...tagParts] = parts;
  const tags = tagParts.map((p): [string, string] => {
    let eq = -1;
    for (let j = 0; j < p.length; j += 1) {
      if (p[j] === '\\') j += 1;
      else if (p[j] === '=') {
        eq = j;
        break;
      }
    }
    if (eq <= 0 || eq === p.length - 1) throw new Error(`invalid tag format: ${p}`);
    const value = p.slice(eq + 1);
    if (value.endsWith('\\')) throw new Error(`tag value ends in a backslash: ${p}`);
    return [p.slice(0, eq), value];
  });
  return { measurement: measurement!, tags, rest: line.slice(i + 1) };
}

describe('toLine: field kinds from the payload contract', () => {
  it.each(DEVICE_TYPES)('%s telemetry matches the client Point, with ints as 12i, floats as floats, bools, enums quoted', (type: DeviceType) => {
    const specs: Record<string, FieldSpec> = TELEMETRY_FIELDS[type];
    const fields: Record<string, number | boolean | string> = {};
    Object.entries(specs).forEach(([name, spec], i) => (fields[name] = sample(spec, i)));
    const reading: TelemetryReading = { ...base, type, kind: 'telemetry', seq: 41, tags: { building: 'b 1', zone: 'z,2' }, fields };
    const expected = viaPoint(
      type,
      { compound: 'c01', device: 'd1', building: 'b 1', zone: 'z,2' },
      [...Object.entries(specs).map(([name, spec]): [string, FieldSpec['kind'], unknown] => [name, spec.kind, fields[name]]), ['seq', 'seq', 41]],
      base.ts,
    );
    expect(toLine(reading)).toBe(expected);
  });

  it('writes exact literals for each kind', () => {
    const reading: Reading = {
      ...base, type: 'elevator', kind: 'telemetry', seq: 7, tags: { building: 'b1', zone: 'z' },
      fields: { floor: -2, speed: 1, loadPct: 42.5, moving: true, doorOpen: false, direction: 'up' },
    };
    expect(toLine(reading)).toBe(
      'elevator,building=b1,compound=c01,device=d1,zone=z direction="up",doorOpen=false,floor=-2i,loadPct=42.5,moving=true,seq=7i,speed=1 1700000000123',
    );
    expect(toLine({ ...base, type: 'manhole', kind: 'telemetry', fields: { gasPpm: 1e-7 } })).toBe('manhole,compound=c01,device=d1 gasPpm=1e-7 1700000000123');
  });

  it('writes events (event, code as strings; seq as int) and device status', () => {
    expect(toLine({ ...base, type: 'elevator', kind: 'event', event: 'fault', code: 'E:1', seq: 3 })).toBe(
      'elevator,compound=c01,device=d1 code="E:1",event="fault",seq=3i 1700000000123',
    );
    expect(toLine({ ...base, type: 'manhole', kind: 'event', event: 'tamper', tags: { zone: 'n' } })).toBe(
      'manhole,compound=c01,device=d1,zone=n event="tamper" 1700000000123',
    );
    expect(toLine({ ...base, type: 'parking', kind: 'status', online: false, tags: { building: 'b' } })).toBe(
      'device_status,compound=c01,device=d1,type=parking online=false 1700000000123',
    );
    expect(toLine({ ...base, ts: 1_700_000_000_123.9, type: 'parking', kind: 'status', online: true })).toMatch(/ online=true 1700000000123$/);
  });

  it.each([
    ['a field outside the contract', { occupied: true, colour: 'red' }],
    ['a float where an int belongs', { floor: 2.5 }],
    ['a string where a bool belongs', { doorOpen: 'yes' }],
    ['a non-finite float', { speed: Number.NaN }],
    ['an infinite float', { speed: Number.POSITIVE_INFINITY }],
    ['no fields at all', {}],
  ])('refuses %s with a coded error', (_why, fields) => {
    const reading = { ...base, type: 'elevator', kind: 'telemetry', fields } as TelemetryReading;
    expect(() => toLine(reading)).toThrow();
    try {
      toLine(reading);
    } catch (error) {
      expect(isHubError(error, 'BAD_REQUEST')).toBe(true);
    }
  });

  it('refuses a bad timestamp or an empty id', () => {
    expect(() => toLine({ ...base, ts: Number.NaN, type: 'parking', kind: 'status', online: true })).toThrow(/ts/);
    expect(() => toLine({ ...base, device: '', type: 'parking', kind: 'status', online: true })).toThrow(/empty/);
  });
});

describe('escaping', () => {
  it.each(['plain', 'with space', 'a,b', 'k=v', '号楼 3', 'x\ny', 'cr\rlf', 'tab\there', ' lead', 'trail ', 'q"uote', '=,= ,'])(
    'escapes the tag value %j as the client library does',
    (value) => {
      const ours = toLine({ ...base, type: 'manhole', kind: 'telemetry', tags: { building: value }, fields: { tiltDeg: 1.5 } });
      const theirs = viaPoint('manhole', { building: value, compound: 'c01', device: 'd1' }, [['tiltDeg', 'float', 1.5]], base.ts);
      expect(ours).toBe(theirs);
    },
  );

  it('escapes measurements and field keys as the client library does', () => {
    expect(escapeMeasurement('dev ice,status=x')).toBe(new Point('dev ice,status=x').floatField('f', 1).toLineProtocol()!.split(' f=')[0]);
    expect(escapeTag('field key=1,2')).toBe('field\\ key\\=1\\,2');
  });

  it('quotes string values with quotes and backslashes, as the client library does', () => {
    for (const value of ['say "hi"', 'back\\slash', 'end\\', '"', '\\"', '']) {
      const theirs = new Point('m').stringField('f', value).timestamp('1').toLineProtocol()!;
      expect(`m f=${quoteString(value)} 1`).toBe(theirs);
    }
  });

  it('never lets a newline into a string value (the spool and write bodies are split on newlines)', () => {
    expect(quoteString('two\nlines\r\n')).toBe('"two\\nlines\\r\\n"');
    const line = toLine({ ...base, type: 'elevator', kind: 'event', event: 'fault', code: 'a\nb"c\\' });
    expect(line).toBe('elevator,compound=c01,device=d1 code="a\\nb\\"c\\\\",event="fault" 1700000000123');
  });

  it('keeps backslashes from swallowing an escape, and drops trailing ones (InfluxDB 1.x refuses them)', () => {
    expect(escapeTag('a\\b')).toBe('a\\b'); // a lone backslash before an ordinary character stays as it is
    expect(escapeTag('x\\,y')).toBe('x\\\\\\,y'); // doubled, then the comma's own escape
    expect(escapeTag('x\\\\ y')).toBe('x\\\\\\\\\\ y');
    expect(escapeTag('trail\\')).toBe('trail');
    expect(escapeTag('trail\\\\\\')).toBe('trail');
    expect(escapeTag('\\\\')).toBe('');
    expect(escapeMeasurement('m\\ x\\')).toBe('m\\\\\\ x');
    // An optional tag that escapes to nothing is left out; a required one makes the reading unstorable.
    expect(toLine({ ...base, type: 'parking', kind: 'telemetry', tags: { zone: '\\' }, fields: { occupied: true } })).toBe(
      'parking,compound=c01,device=d1 occupied=true 1700000000123',
    );
    expect(() => toLine({ ...base, compound: '\\', type: 'parking', kind: 'telemetry', fields: { occupied: true } })).toThrow();
  });

  it('always yields one line whose series key splits into exactly the tags written, for any tag text', () => {
    const alphabet = ['a', 'b', ' ', ',', '=', '\\', '"', '\n', '\r', '\t', '号'];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 2000; n += 1) {
      const text = () => Array.from({ length: 1 + Math.floor(random() * 8) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const building = `b${text()}`;
      const zone = `z${text()}`;
      const line = toLine({ ...base, type: 'fire_lane', kind: 'event', event: 'blocked', code: text(), tags: { building, zone } });
      expect(line).not.toMatch(/[\n\r]/);
      const key = scanSeriesKey(line);
      expect(key.measurement).toBe('fire_lane');
      expect(key.tags.map(([k]) => k)).toEqual(['building', 'compound', 'device', 'zone']);
      expect(key.rest).toMatch(/^code=".*",event="blocked" 1700000000123$/s);
    }
  });
});
