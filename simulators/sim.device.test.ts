import { describe, expect, it } from 'vitest';
import { createSimDevice } from './sim.device.ts';

describe('simulated device', () => {
  it('never stamps two messages with the same millisecond, even a fault forced in the same millisecond as the last sample', () => {
    const t0 = 1_700_000_000_000;
    const device = createSimDevice({ compound: 'c01', type: 'elevator', device: 'elev-01' }, { seed: 3, startMs: t0 });
    const messages = [...device.advance(t0 + 1000)];
    device.behaviour.fault('trapped');
    messages.push(...device.advance(t0 + 1000)); // the fault's events start at the last sample's time
    messages.push(...device.advance(t0 + 2000));
    const stamps = messages.map((m) => m.payload.ts!);
    expect(messages.length).toBeGreaterThan(4);
    expect(messages.some((m) => m.channel === 'event' && m.payload.event === 'trapped')).toBe(true);
    for (let i = 1; i < stamps.length; i += 1) expect(stamps[i]).toBeGreaterThan(stamps[i - 1]!);
    expect(messages.map((m) => m.payload.seq)).toEqual(messages.map((_, i) => i + 1));
  });
});
