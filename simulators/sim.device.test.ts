import { describe, expect, it } from 'vitest';
import { createSimDevice, messageBody, messageTime, statusChange } from './sim.device.ts';

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

describe('outages', () => {
  const t0 = 1_700_000_000_000;
  const elevator = () => createSimDevice({ compound: 'c01', type: 'elevator', device: 'elev-01' }, { seed: 3, startMs: t0 });

  it.each(['uplink', 'power'] as const)('%s: a device cut off sends nothing, its behaviour runs on, and once restored it reports again with the next seq', (outage) => {
    const device = elevator();
    const twin = elevator(); // the same device, never cut off
    const before = device.advance(t0 + 1000);
    expect(before).toEqual(twin.advance(t0 + 1000));
    device.cut(outage);
    expect(device.outage).toBe(outage);
    for (let s = 2; s <= 60; s += 1) {
      expect(device.advance(t0 + s * 1000)).toEqual([]);
      twin.advance(t0 + s * 1000);
    }
    device.restore();
    expect(device.outage).toBeUndefined();
    const back = device.advance(t0 + 61_000);
    const same = twin.advance(t0 + 61_000);
    // The behaviour went on all the while: it is where its twin is; only the seq differs (nothing was sent).
    expect(back.map((m) => ({ ...m.payload, seq: 0 }))).toEqual(same.map((m) => ({ ...m.payload, seq: 0 })));
    expect(back.map((m) => m.payload.seq)).toEqual(back.map((_, i) => before.at(-1)!.payload.seq! + 1 + i));
  });

  it('a device whose power is cut still sends what it raised at that instant (its last gasp), and nothing after; an uplink cut sends nothing', () => {
    const gasp = elevator();
    gasp.advance(t0 + 1000);
    gasp.behaviour.fault('power_loss');
    gasp.cut('power');
    const last = gasp.advance(t0 + 60_000);
    // power_loss (and, if the car stopped between floors, what follows from it), at the instant of the cut; no sample.
    expect(last[0]).toMatchObject({ channel: 'event', payload: { event: 'power_loss', ts: t0 + 1001 } });
    expect(last.map((m) => `${m.channel} ${m.payload.ts}`)).toEqual(last.map((_, i) => `event ${t0 + 1001 + i}`));
    expect(gasp.advance(t0 + 120_000)).toEqual([]);

    const mute = elevator();
    mute.advance(t0 + 1000);
    mute.behaviour.fault('power_loss');
    mute.cut('uplink');
    expect(mute.advance(t0 + 60_000)).toEqual([]);
    // A power cut during an uplink outage has nothing left to say either.
    mute.behaviour.fault('alarm_button');
    mute.cut('power');
    expect(mute.advance(t0 + 61_000)).toEqual([]);
  });

  it('status messages: the plain word on the wire, stamped after the last message', () => {
    const device = elevator();
    const sample = device.advance(t0 + 1000).at(-1)!;
    const status = device.statusMessage('offline', t0 + 1000);
    expect(status).toEqual({ channel: 'status', ref: { compound: 'c01', type: 'elevator', device: 'elev-01' }, topic: 'compounds/c01/elevator/elev-01/status', payload: 'offline', ts: t0 + 1001 });
    expect(messageBody(status)).toBe('offline');
    expect(messageTime(status)).toBe(t0 + 1001);
    expect(JSON.parse(messageBody(sample))).toEqual(sample.payload);
    expect(messageTime(sample)).toBe(t0 + 1000);
  });

  it.each([
    [undefined, 'power', 'offline'],
    ['uplink', 'power', 'offline'],
    ['power', undefined, 'online'],
    ['power', 'uplink', 'online'],
    [undefined, 'uplink', undefined],
    ['uplink', undefined, undefined],
    ['power', 'power', undefined],
    [undefined, undefined, undefined],
  ] as const)('from %s to %s the broker sees %s', (before, after, status) => {
    expect(statusChange(before, after)).toBe(status);
  });
});
