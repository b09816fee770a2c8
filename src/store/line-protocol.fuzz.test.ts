/**
 * Property tests of the line writer (fast-check, fixed seed, bounded runs and time): for any
 * text in ids, registry tags, field keys and string fields, a line is either refused with a
 * coded error or parses back, with a parser written from the line-protocol reference
 * (src/testing/line-protocol.parser.ts), into exactly the measurement, tags, fields and time
 * written, never with a raw newline; text InfluxDB can hold comes back exactly.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { escapeMeasurement, escapeTag, PointTimes, quoteText, readStoredText, toLine } from './line-protocol.ts';
import { parseLine, type ParsedField } from '../testing/line-protocol.parser.ts';
import { isHubError } from '../errors.ts';
import { DEVICE_TYPES } from '../contracts/device-types.ts';
import type { EventReading } from '../contracts/readings.ts';

const RUN = { seed: 20_260_602, numRuns: 4000, interruptAfterTimeLimit: 8000 } as const;

/** The characters line protocol gives a meaning to, and some it does not. */
const SPECIAL = fc.constantFrom('a', 'Z', '0', ' ', ',', '=', '\\', '"', "'", '\n', '\r', '\t', '\u0000', '\u007f', '号', 'é', '😀');
/** Any text: special characters densely, or any code points. */
const anyText = fc.oneof(fc.string({ unit: SPECIAL, maxLength: 10 }), fc.string({ unit: 'binary', maxLength: 10 }));
/** What a registry tag may hold (registry.schema.ts): no backslash, no control character. */
const TAG_SAFE = /^[^\\\u0000-\u001f]+$/;
/** Text InfluxDB holds exactly in a tag: no backslash, no line break or tab (they have no escape there). */
const exactInTag = (text: string) => !/[\\\n\r\t]/.test(text) && text !== '';
/** Text InfluxDB holds exactly in a string field: no line break (the writer stands `\n`, `\r` in for them). */
const exactInString = (text: string) => !/[\n\r]/.test(text);

const readingArb = fc.record({
  type: fc.constantFrom(...DEVICE_TYPES),
  compound: anyText,
  device: anyText,
  building: fc.option(anyText, { nil: undefined }),
  zone: fc.option(anyText, { nil: undefined }),
  event: anyText,
  code: fc.option(anyText, { nil: undefined }),
  seq: fc.option(fc.nat(), { nil: undefined }),
  ts: fc.integer({ min: 0, max: 4_102_444_800_000 }),
});

function eventReading(r: typeof readingArb extends fc.Arbitrary<infer T> ? T : never): EventReading {
  const tags = { ...(r.building !== undefined ? { building: r.building } : {}), ...(r.zone !== undefined ? { zone: r.zone } : {}) };
  return {
    kind: 'event', type: r.type, compound: r.compound, device: r.device, tags, event: r.event, ts: r.ts, receivedAt: r.ts,
    ...(r.code !== undefined ? { code: r.code } : {}),
    ...(r.seq !== undefined ? { seq: r.seq } : {}),
  };
}

/** The line of a reading, or undefined when the writer refuses it, as it must, with a coded error. */
function lineOrRefusal(reading: EventReading): string | undefined {
  try {
    return toLine(reading);
  } catch (error) {
    expect(isHubError(error, 'BAD_REQUEST')).toBe(true);
    return undefined;
  }
}

const stringField = (fields: Array<[string, ParsedField]>, key: string) => {
  const field = fields.find(([k]) => k === key)?.[1];
  return field?.type === 'string' ? field.value : undefined;
};

describe('line writer (property)', () => {
  it('writes one line that splits into exactly the measurement, tags, fields and time of the reading, whatever the text', () => {
    let written = 0;
    fc.assert(
      fc.property(readingArb, (r) => {
        const line = lineOrRefusal(eventReading(r));
        if (line === undefined) return;
        written += 1;
        expect(line).not.toMatch(/[\n\r]/);
        const parsed = parseLine(line);
        expect(parsed.measurement).toBe(r.type);
        const keys = parsed.tags.map(([k]) => k);
        // compound and device always; building and zone when given (a text of only backslashes is left out).
        expect(keys.filter((k) => k === 'compound' || k === 'device')).toEqual(['compound', 'device']);
        expect(keys.every((k) => ['building', 'compound', 'device', 'zone'].includes(k))).toBe(true);
        expect(keys).toEqual([...keys].sort());
        if (r.building !== undefined && exactInTag(r.building)) expect(keys).toContain('building');
        if (r.zone !== undefined && exactInTag(r.zone)) expect(keys).toContain('zone');
        expect(parsed.fields.map(([k]) => k)).toEqual([...(r.code !== undefined ? ['code'] : []), 'event', ...(r.seq !== undefined ? ['seq'] : [])]);
        if (r.seq !== undefined) expect(parsed.fields.at(-1)![1]).toEqual({ type: 'integer', value: BigInt(r.seq) });
        // ns: the ms time, and in the sub-ms digits the tie-break (2 × seq, or an odd slot without seq).
        const timestamp = parsed.timestamp ?? -1n;
        expect(timestamp / 1_000_000n).toBe(BigInt(r.ts));
        const tie = Number(timestamp % 1_000_000n);
        expect(tie).toBe(r.seq !== undefined ? 2 * (r.seq % 500_000) : tie | 1);
      }),
      RUN,
    );
    expect(written).toBeGreaterThan(1000);
  });

  it('gives back exactly the tags and strings InfluxDB can hold', () => {
    fc.assert(
      fc.property(readingArb, (r) => {
        const line = lineOrRefusal(eventReading(r));
        if (line === undefined) return;
        const parsed = parseLine(line);
        const tag = (key: string) => parsed.tags.find(([k]) => k === key)?.[1];
        for (const key of ['compound', 'device', 'building', 'zone'] as const) {
          const sent = r[key];
          if (sent !== undefined && exactInTag(sent)) expect(tag(key), key).toBe(sent);
        }
        if (exactInString(r.event)) expect(stringField(parsed.fields, 'event')).toBe(r.event);
        if (r.code !== undefined && exactInString(r.code)) expect(stringField(parsed.fields, 'code')).toBe(r.code);
        // Line breaks in a string field arrive as the two characters `\n` / `\r`: one line, and visibly so.
        expect(stringField(parsed.fields, 'event')).toBe(r.event.replace(/\n/g, '\\n').replace(/\r/g, '\\r'));
      }),
      RUN,
    );
  });

  it('always stores a registry tag exactly', () => {
    const registryTag = fc.string({ unit: fc.oneof(SPECIAL, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 12 }).filter((s) => TAG_SAFE.test(s));
    fc.assert(
      fc.property(registryTag, registryTag, (building, zone) => {
        const line = toLine({ kind: 'telemetry', type: 'manhole', compound: 'c01', device: 'mh-1', tags: { building, zone }, fields: { tiltDeg: 1.5 }, ts: 1, receivedAt: 1 }, new PointTimes());
        expect(parseLine(line)).toEqual({
          measurement: 'manhole',
          tags: [['building', building], ['compound', 'c01'], ['device', 'mh-1'], ['zone', zone]],
          fields: [['tiltDeg', { type: 'float', value: 1.5 }]],
          timestamp: 1_000_001n,
        });
      }),
      RUN,
    );
  });

  it('stores free text (alert notes) so that it reads back exactly, line breaks and backslashes included', () => {
    fc.assert(
      fc.property(anyText, (note) => {
        const line = `alert_events,compound=c01 note=${quoteText(note)},state="commented" 1`;
        expect(line).not.toMatch(/[\n\r]/);
        const parsed = parseLine(line);
        expect(parsed.fields.map(([k]) => k)).toEqual(['note', 'state']);
        expect(readStoredText(stringField(parsed.fields, 'note')!)).toBe(note);
      }),
      RUN,
    );
  });

  it('escapes any measurement and field key so that the line keeps one of each', () => {
    fc.assert(
      fc.property(anyText, anyText, (measurement, key) => {
        const m = escapeMeasurement(measurement);
        const k = escapeTag(key);
        if (m === '' || k === '') return; // nothing left to name it (only backslashes): the writer refuses those
        const parsed = parseLine(`${m} ${k}=1i 7`);
        expect(parsed.fields).toHaveLength(1);
        expect(parsed.tags).toEqual([]);
        if (!/[\\\n\r\t]/.test(measurement)) expect(parsed.measurement).toBe(measurement);
        if (exactInTag(key)) expect(parsed.fields[0]![0]).toBe(key);
      }),
      RUN,
    );
  });
});

describe('line-protocol test parser', () => {
  it('reads the reference examples, and refuses what InfluxDB refuses', () => {
    expect(parseLine('weather,location=us-midwest temperature=82 1465839830100400200')).toEqual({
      measurement: 'weather', tags: [['location', 'us-midwest']], fields: [['temperature', { type: 'float', value: 82 }]], timestamp: 1465839830100400200n,
    });
    expect(parseLine('wea\\,ther,loc\\ ation=us\\,mid\\=west temp\\=rature="too \\"hot\\" \\\\ here",n=-3i,b=t')).toEqual({
      measurement: 'wea,ther', tags: [['loc ation', 'us,mid=west']],
      fields: [['temp=rature', { type: 'string', value: 'too "hot" \\ here' }], ['n', { type: 'integer', value: -3n }], ['b', { type: 'boolean', value: true }]],
    });
    for (const bad of ['m', 'm f=', 'm,t= f=1', 'm,t=a,t=b f=1', 'm f=1,f=2', 'm f="open', 'm f=NaN', 'm f=1 12x', 'm f=1\nm f=2', 'm,t=a\\ f=1', 'm,t=a=b f=1']) {
      expect(() => parseLine(bad), bad).toThrow();
    }
  });
});
