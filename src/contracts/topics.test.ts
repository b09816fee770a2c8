import { describe, expect, it } from 'vitest';
import { alertTopic, deviceTopic, hubStatusTopic, ingestSubscriptions, parseDeviceTopic } from './topics.ts';

describe('topic grammar', () => {
  const ref = { compound: 'c01', type: 'elevator' as const, device: 'elev-1' };

  it('builds and parses device topics symmetrically', () => {
    for (const channel of ['telemetry', 'event', 'status'] as const) {
      const topic = deviceTopic('compounds', ref, channel);
      expect(topic).toBe(`compounds/c01/elevator/elev-1/${channel}`);
      expect(parseDeviceTopic('compounds', topic)).toEqual({ ok: true, topic: { ...ref, channel } });
    }
  });

  it.each([
    ['other/c01/elevator/e1/telemetry', 'bad_topic'],
    ['compounds/c01/elevator/e1', 'bad_topic'],
    ['compounds/c01/elevator/e1/telemetry/extra', 'bad_topic'],
    ['compounds/C01/elevator/e1/telemetry', 'bad_topic'],
    ['compounds/c01/elevator/-e1/telemetry', 'bad_topic'],
    ['compounds/c01/elevator/e1/command', 'bad_topic'],
    ['compounds/c01/elevator/+/telemetry', 'bad_topic'],
    [`compounds/c01/elevator/${'a'.repeat(65)}/telemetry`, 'bad_topic'],
    ['compounds/c01/boiler/e1/telemetry', 'unknown_type'],
    ['compounds/c01/__proto__/e1/telemetry', 'unknown_type'],
  ])('rejects %s as %s', (topic, reason) => {
    const result = parseDeviceTopic('compounds', topic);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toBe(reason);
  });

  it('names the hub and alert topics and the ingest subscriptions', () => {
    expect(hubStatusTopic('compounds')).toBe('compounds/_hub/status');
    expect(alertTopic('compounds', 'c01', 'a1')).toBe('compounds/c01/alerts/a1');
    expect(ingestSubscriptions('x')).toEqual(['x/+/+/+/telemetry', 'x/+/+/+/event', 'x/+/+/+/status']);
  });
});
