import { describe, expect, it } from 'vitest';
import { PayloadValidator } from './payload.validator.ts';
import type { DeviceTopic } from '../contracts/topics.ts';

const NOW = 1_800_000_000_000;
const validator = () =>
  new PayloadValidator({ maxPayloadBytes: 1024, retentionMs: 7 * 86_400_000, futureToleranceMs: 300_000 });
const topic = (type: DeviceTopic['type'], channel: DeviceTopic['channel']): DeviceTopic => ({
  compound: 'c01',
  type,
  device: 'd1',
  channel,
});
const run = (v: PayloadValidator, t: DeviceTopic, payload: string | Buffer) =>
  v.validate(t, { building: 'b1' }, typeof payload === 'string' ? Buffer.from(payload) : payload, NOW);

describe('PayloadValidator', () => {
  it('accepts a valid telemetry sample and keeps only contract fields', () => {
    const result = run(validator(), topic('elevator', 'telemetry'), JSON.stringify({ ts: NOW - 1000, seq: 3, floor: 5, moving: true, speed: 1 }));
    expect(result).toEqual({
      ok: true,
      reading: {
        compound: 'c01', type: 'elevator', device: 'd1', kind: 'telemetry', ts: NOW - 1000, receivedAt: NOW, seq: 3,
        tags: { building: 'b1' }, fields: { floor: 5, moving: true, speed: 1 },
      },
    });
  });

  it('uses receive time when ts is absent', () => {
    const result = run(validator(), topic('manhole', 'telemetry'), '{"tiltDeg":2.5}');
    expect(result.ok && result.reading.ts).toBe(NOW);
  });

  it('accepts events with an optional fault code', () => {
    const result = run(validator(), topic('elevator', 'event'), '{"event":"fault","code":"E-42"}');
    expect(result.ok && result.reading).toMatchObject({ kind: 'event', event: 'fault', code: 'E-42' });
  });

  it('accepts status online/offline as plain text', () => {
    const v = validator();
    expect(run(v, topic('parking', 'status'), 'online')).toMatchObject({ ok: true, reading: { kind: 'status', online: true } });
    expect(run(v, topic('parking', 'status'), 'offline')).toMatchObject({ ok: true, reading: { kind: 'status', online: false } });
    expect(run(v, topic('parking', 'status'), 'ONLINE')).toMatchObject({ ok: false, reason: 'bad_status' });
  });

  it.each([
    ['invalid JSON', '{"floor":', 'invalid_json'],
    ['a JSON array', '[1,2]', 'invalid_json'],
    ['JSON null', 'null', 'invalid_json'],
    ['a JSON string', '"x"', 'invalid_json'],
    ['an unknown field', '{"floor":1,"colour":"red"}', 'schema'],
    ['a __proto__ key', '{"floor":1,"__proto__":{"polluted":true}}', 'schema'],
    ['a constructor key', '{"floor":1,"constructor":{"prototype":{}}}', 'schema'],
    ['a wrong type', '{"floor":"5"}', 'schema'],
    ['a float for an int field', '{"floor":1.5}', 'schema'],
    ['1e999 (Infinity)', '{"speed":1e999}', 'schema'],
    ['an integer above 2^53', '{"floor":9007199254740993}', 'schema'],
    ['NaN as a string', '{"speed":"NaN"}', 'schema'],
    ['an out-of-range value', '{"loadPct":-1}', 'schema'],
    ['an unknown enum value', '{"direction":"sideways"}', 'schema'],
    ['only ts and seq', '{"ts":1800000000000,"seq":1}', 'schema'],
    ['a negative seq', '{"floor":1,"seq":-1}', 'schema'],
    ['a future timestamp', `{"floor":1,"ts":${NOW + 301_000}}`, 'future_timestamp'],
    ['a timestamp ten years ahead', `{"floor":1,"ts":${NOW + 315_360_000_000}}`, 'future_timestamp'],
    ['a timestamp before retention', `{"floor":1,"ts":${NOW - 8 * 86_400_000}}`, 'too_old'],
    ['a ts of 0', '{"floor":1,"ts":0}', 'schema'],
  ])('rejects %s', (_name, payload, reason) => {
    const result = run(validator(), topic('elevator', 'telemetry'), payload);
    expect(result).toMatchObject({ ok: false, reason });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses bytes that are not UTF-8, wherever they are, as invalid JSON', () => {
    const v = validator();
    const bad = (text: string) => Buffer.concat([Buffer.from(text), Buffer.from([0xff]), Buffer.from('"}')]);
    expect(run(v, topic('fire_lane', 'telemetry'), bad('{"objectType":"car'))).toEqual({ ok: false, reason: 'invalid_json', detail: 'payload is not valid UTF-8' });
    expect(run(v, topic('elevator', 'telemetry'), Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]))).toMatchObject({ reason: 'invalid_json' });
    expect(run(v, topic('elevator', 'telemetry'), Buffer.from('{"floor":3,"moving":false}'))).toMatchObject({ ok: true });
  });

  it('names the failing path of a schema violation', () => {
    const result = run(validator(), topic('manhole', 'telemetry'), '{"tiltDeg":500}');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.detail).toMatch(/^tiltDeg: /);
  });

  it('rejects an event name of another type and an unsafe fault code', () => {
    const v = validator();
    expect(run(v, topic('manhole', 'event'), '{"event":"trapped"}')).toMatchObject({ ok: false, reason: 'schema' });
    expect(run(v, topic('elevator', 'event'), '{"event":"fault","code":"a b,c=d"}')).toMatchObject({ ok: false, reason: 'schema' });
  });

  it('rejects payloads over the size limit before parsing them', () => {
    const result = run(validator(), topic('elevator', 'telemetry'), Buffer.alloc(2000, 0x7b));
    expect(result).toMatchObject({ ok: false, reason: 'too_large' });
  });

  it('drops QoS 1 redeliveries by seq, per device', () => {
    const v = validator();
    const t = topic('parking', 'telemetry');
    expect(run(v, t, '{"occupied":true,"seq":7}').ok).toBe(true);
    expect(run(v, t, '{"occupied":true,"seq":7}')).toMatchObject({ ok: false, reason: 'duplicate_seq' });
    expect(run(v, { ...t, device: 'd2' }, '{"occupied":true,"seq":7}').ok).toBe(true);
  });

  it('survives deeply nested JSON without crashing', () => {
    const deep = '{"floor":' + '['.repeat(500) + ']'.repeat(500) + '}';
    const result = new PayloadValidator({ maxPayloadBytes: 4096, retentionMs: 1e9, futureToleranceMs: 1 }).validate(
      topic('elevator', 'telemetry'), {}, Buffer.from(deep), NOW);
    expect(result).toMatchObject({ ok: false, reason: 'schema' });
  });
});
