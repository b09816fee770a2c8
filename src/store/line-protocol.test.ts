import { describe, expect, it } from 'vitest';
import { Point } from '@influxdata/influxdb-client';
import { escapeMeasurement, escapeTag, msLineToNs, nsTime, PointTimes, quoteString, toLine as toLineWith } from './line-protocol.ts';
import { TELEMETRY_FIELDS, type FieldSpec } from '../contracts/payloads.ts';
import { DEVICE_TYPES, type DeviceType } from '../contracts/device-types.ts';
import type { Reading, TelemetryReading } from '../contracts/readings.ts';
import { isHubError } from '../errors.ts';

const base = { compound: 'c01', device: 'd1', ts: 1_700_000_000_123, receivedAt: 1_700_000_000_200, tags: {} };
/** Each line from fresh tie-break counters: a reading without seq gets the first odd slot (…000001). */
const toLine = (reading: Reading) => toLineWith(reading, new PointTimes());

/** The same point through the client library's Point (booleans as true/false, as we write them; Point writes T/F). */
function viaPoint(measurement: string, tags: Record<string, string>, fields: Array<[string, FieldSpec['kind'] | 'seq', unknown]>, ts: string): string {
  const point = new Point(measurement);
  for (const [k, v] of Object.entries(tags)) point.tag(k, v);
  for (const [name, kind, value] of fields) {
    if (kind === 'int' || kind === 'seq') point.intField(name, value);
    else if (kind === 'float') point.floatField(name, value);
    else if (kind === 'bool') point.fields[name] = value ? 'true' : 'false';
    else point.stringField(name, value);
  }
  return point.timestamp(ts).toLineProtocol()!;
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
      '1700000000123000082', // ns: the ms time, tie-break 2 × seq
    );
    expect(toLine(reading)).toBe(expected);
  });

  it('writes exact literals for each kind', () => {
    const reading: Reading = {
      ...base, type: 'elevator', kind: 'telemetry', seq: 7, tags: { building: 'b1', zone: 'z' },
      fields: { floor: -2, speed: 1, loadPct: 42.5, moving: true, doorOpen: false, direction: 'up' },
    };
    expect(toLine(reading)).toBe(
      'elevator,building=b1,compound=c01,device=d1,zone=z direction="up",doorOpen=false,floor=-2i,loadPct=42.5,moving=true,seq=7i,speed=1 1700000000123000014',
    );
    expect(toLine({ ...base, type: 'manhole', kind: 'telemetry', fields: { gasPpm: 1e-7 } })).toBe('manhole,compound=c01,device=d1 gasPpm=1e-7 1700000000123000001');
  });

  it('writes events (event, code as strings; seq as int) and device status', () => {
    expect(toLine({ ...base, type: 'elevator', kind: 'event', event: 'fault', code: 'E:1', seq: 3 })).toBe(
      'elevator,compound=c01,device=d1 code="E:1",event="fault",seq=3i 1700000000123000006',
    );
    expect(toLine({ ...base, type: 'manhole', kind: 'event', event: 'tamper', tags: { zone: 'n' } })).toBe(
      'manhole,compound=c01,device=d1,zone=n event="tamper" 1700000000123000001',
    );
    expect(toLine({ ...base, type: 'parking', kind: 'status', online: false, tags: { building: 'b' } })).toBe(
      'device_status,compound=c01,device=d1,type=parking online=false 1700000000123000001',
    );
    expect(toLine({ ...base, ts: 1_700_000_000_123.9, type: 'parking', kind: 'status', online: true })).toMatch(/ online=true 1700000000123000001$/);
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
    expect(() => toLine({ ...base, ts: 9_300_000_000_000, type: 'parking', kind: 'status', online: true })).toThrow(/ts outside/); // beyond int64 ns
    expect(() => toLine({ ...base, device: '', type: 'parking', kind: 'status', online: true })).toThrow(/empty/);
  });
});

describe('escaping', () => {
  it.each(['plain', 'with space', 'a,b', 'k=v', '号楼 3', 'x\ny', 'cr\rlf', 'tab\there', ' lead', 'trail ', 'q"uote', '=,= ,'])(
    'escapes the tag value %j as the client library does',
    (value) => {
      const ours = toLine({ ...base, type: 'manhole', kind: 'telemetry', tags: { building: value }, fields: { tiltDeg: 1.5 } });
      const theirs = viaPoint('manhole', { building: value, compound: 'c01', device: 'd1' }, [['tiltDeg', 'float', 1.5]], '1700000000123000001');
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
    expect(line).toBe('elevator,compound=c01,device=d1 code="a\\nb\\"c\\\\",event="fault" 1700000000123000001');
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
      'parking,compound=c01,device=d1 occupied=true 1700000000123000001',
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
      expect(key.rest).toMatch(/^code=".*",event="blocked" 1700000000123000001$/s);
    }
  });
});

describe('time: ns precision, a tie-break per device', () => {
  const parking = (over: Partial<TelemetryReading>): TelemetryReading => ({ ...base, type: 'parking', kind: 'telemetry', fields: { occupied: true }, ...over });
  const time = (line: string) => line.slice(line.lastIndexOf(' ') + 1);

  it('gives readings of one device with the same ts and different seq points of their own (2 × seq ns), in any order, with any counters', () => {
    const times = new PointTimes();
    const seqs = [5, 1, 3, 2, 4, 0];
    const lines = seqs.map((seq) => toLineWith(parking({ seq }), times));
    expect(lines.map(time)).toEqual(['1700000000123000010', '1700000000123000002', '1700000000123000006', '1700000000123000004', '1700000000123000008', '1700000000123000000']);
    // The same reading (a redelivery, a spool replay, another hub process) lands on the same point again.
    expect(toLineWith(parking({ seq: 3 }), new PointTimes())).toBe(lines[2]);
    expect(new Set(lines.map(time)).size).toBe(seqs.length);
  });

  it('gives readings without seq the odd slots of a counter per device, so they never meet one with a seq', () => {
    const times = new PointTimes();
    const noSeq = Array.from({ length: 4 }, () => time(toLineWith(parking({}), times)));
    expect(noSeq).toEqual(['1700000000123000001', '1700000000123000003', '1700000000123000005', '1700000000123000007']);
    // Another device, another series (events share the device's series with its telemetry).
    expect(time(toLineWith(parking({ device: 'd2' }), times))).toBe('1700000000123000001');
    expect(time(toLineWith(parking({ compound: 'c02' }), times))).toBe('1700000000123000001');
    // One counter per device, shared by its telemetry, events and status (unique per device is unique per series).
    expect(time(toLineWith({ ...base, type: 'parking', kind: 'event', event: 'vehicle_in' }, times))).toBe('1700000000123000009');
    expect(time(toLineWith({ ...base, type: 'parking', kind: 'status', online: true }, times))).toBe('1700000000123000011');
    expect(times.size).toBe(3);
  });

  it('a reading that cannot be stored takes no slot', () => {
    const times = new PointTimes();
    expect(() => toLineWith(parking({ fields: { occupied: 'yes' } as never }), times)).toThrow();
    expect(time(toLineWith(parking({}), times))).toBe('1700000000123000001');
  });

  it('keeps up to 500,000 readings per ms of one device apart, then wraps (seq 500,000 meets seq 0)', () => {
    const times = new PointTimes();
    const slots = new Set<number>();
    for (let i = 0; i < 500_000; i += 1) slots.add(times.next('c01', 'd1'));
    expect(slots.size).toBe(500_000);
    expect(time(toLineWith(parking({}), times))).toBe('1700000000123000001');
    expect(time(toLineWith(parking({ seq: 499_999 }), times))).toBe('1700000000123999998');
    expect(time(toLineWith(parking({ seq: 500_000 }), times))).toBe('1700000000123000000');
  });

  it('writes the ms time and the tie-break as one ns integer', () => {
    expect(nsTime(1_700_000_000_123, 0)).toBe('1700000000123000000');
    expect(nsTime(1_700_000_000_123, 7)).toBe('1700000000123000007');
    expect(nsTime(1_700_000_000_123, 999_999)).toBe('1700000000123999999');
    expect(nsTime(1, 5)).toBe('1000005');
    expect(nsTime(0, 5)).toBe('5');
    expect(nsTime(-2, 1)).toBe('-1999999');
  });

  it('turns a ready-made line of ms precision (alert events) to ns, and leaves one without a timestamp alone', () => {
    expect(msLineToNs('alert_events,compound=c01 alertId="a",at=1700000000123i 1700000000123')).toBe('alert_events,compound=c01 alertId="a",at=1700000000123i 1700000000123000000');
    expect(msLineToNs('m f=1.5')).toBe('m f=1.5');
    expect(msLineToNs('m note="a b 12"')).toBe('m note="a b 12"');
    expect(msLineToNs('m f=1 -5')).toBe('m f=1 -5000000');
    expect(msLineToNs('m f=1 ')).toBe('m f=1 ');
  });
});
