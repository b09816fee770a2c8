import { describe, expect, it } from 'vitest';
import { Point } from '@influxdata/influxdb-client';
import { escapeTag, quoteString, toLine } from './line-protocol.ts';
import type { Reading } from '../contracts/readings.ts';

const base = { compound: 'c01', device: 'd1', ts: 1_700_000_000_123, receivedAt: 1_700_000_000_200, tags: {} };

describe('toLine', () => {
  it('writes int fields with i, floats as floats, bools and enums', () => {
    const reading: Reading = {
      ...base, type: 'elevator', kind: 'telemetry', seq: 7, tags: { building: 'b1', zone: 'z' },
      fields: { floor: 3, speed: 1, loadPct: 42.5, moving: true, direction: 'up' },
    };
    expect(toLine(reading)).toBe(
      'elevator,building=b1,compound=c01,device=d1,zone=z floor=3i,speed=1,loadPct=42.5,moving=true,direction="up",seq=7i 1700000000123',
    );
  });

  it('writes events and device status', () => {
    expect(toLine({ ...base, type: 'elevator', kind: 'event', event: 'fault', code: 'E:1' })).toBe(
      'elevator,compound=c01,device=d1 event="fault",code="E:1" 1700000000123',
    );
    expect(toLine({ ...base, type: 'parking', kind: 'status', online: false })).toBe(
      'device_status,compound=c01,device=d1,type=parking online=false 1700000000123',
    );
  });

  it.each([
    'plain', 'with space', 'a,b', 'k=v', '号楼 3', 'x\ny', 'tab\there', ' lead', 'trail ',
  ])('escapes the tag value %j as the client library does', (value) => {
    const ours = toLine({ ...base, type: 'manhole', kind: 'telemetry', tags: { building: value }, fields: { tiltDeg: 1.5 } });
    const theirs = new Point('manhole').tag('building', value).tag('compound', 'c01').tag('device', 'd1').floatField('tiltDeg', 1.5).timestamp('1700000000123').toLineProtocol();
    expect(ours).toBe(theirs);
  });

  it('quotes string values with quotes and backslashes, as the client library does', () => {
    for (const value of ['say "hi"', 'back\\slash', 'end\\', '"']) {
      const theirs = new Point('m').stringField('f', value).timestamp('1').toLineProtocol()!;
      expect(`m f=${quoteString(value)} 1`).toBe(theirs);
    }
  });

  it('keeps tag escapes from breaking the line apart', () => {
    const line = toLine({ ...base, type: 'manhole', kind: 'telemetry', tags: { zone: 'a, b=c\nd' }, fields: { tiltDeg: 2 } });
    expect(line.split('\n')).toHaveLength(1);
    expect(escapeTag('a, b=c')).toBe('a\\,\\ b\\=c');
  });
});
