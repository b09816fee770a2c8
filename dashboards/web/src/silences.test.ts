import { describe, expect, it } from 'vitest';
import type { SilenceView } from '../../../src/contracts/api.ts';
import { deviceAlert, incidentAlert, member, T0 } from './incident.fixture.ts';
import { silencedUntil, silenceTargets } from './silences.ts';

const HOUR = 3_600_000;
const silence = (extra: Partial<SilenceView>): SilenceView => ({ id: 's1', from: T0, until: T0 + 2 * HOUR, reason: 'x', actor: 'zhao', ...extra });

describe('silencing from a card', () => {
  it('a device’s alert: that rule on that device', () => {
    expect(silenceTargets(deviceAlert('a1', 'mh-1'))).toEqual([{ device: 'c01/manhole/mh-1', ruleId: 'manhole-water-high' }]);
  });

  it('an incident: each of its members’ rules in its compound, once per rule (POST /api/silences knows no incident key nor group id)', () => {
    const incident = incidentAlert('i1', [member('mh-1'), member('mh-2'), member('mh-1', { ruleId: 'manhole-gas-high' }), member('mh-3', { leftAt: T0 + 1 })]);
    expect(silenceTargets(incident)).toEqual([
      { compound: 'c01', ruleId: 'manhole-water-high' },
      { compound: 'c01', ruleId: 'manhole-gas-high' },
    ]);
    for (const target of silenceTargets(incident)) {
      expect(target).not.toHaveProperty('device');
      expect(target.ruleId).not.toBe(incident.ruleId);
    }
  });

  it('an incident shows silenced when its members’ conditions are, until the earliest end', () => {
    const incident = incidentAlert('i1', [member('mh-1'), member('mh-2'), member('mh-3', { ruleId: 'manhole-gas-high' })]);
    const water = silence({ compound: 'c01', ruleId: 'manhole-water-high' });
    const gas = silence({ id: 's2', compound: 'c01', ruleId: 'manhole-gas-high', until: T0 + HOUR });
    expect(silencedUntil([water], incident, T0 + 1)).toBeUndefined();
    expect(silencedUntil([water, gas], incident, T0 + 1)).toBe(T0 + HOUR);
    // Silenced device by device, or for another compound.
    const each = ['mh-1', 'mh-2'].map((d, i) => silence({ id: `d${i}`, deviceKey: `c01/manhole/${d}`, ruleId: 'manhole-water-high' }));
    expect(silencedUntil(each, incidentAlert('i2', [member('mh-1'), member('mh-2')]), T0 + 1)).toBe(T0 + 2 * HOUR);
    expect(silencedUntil([silence({ compound: 'c02', ruleId: 'manhole-water-high' })], incidentAlert('i2', [member('mh-1')]), T0 + 1)).toBeUndefined();
    // A device's alert as before.
    expect(silencedUntil([water], deviceAlert('a1', 'mh-1'), T0 + 1)).toBe(T0 + 2 * HOUR);
    expect(silencedUntil([water], deviceAlert('a1', 'mh-1'), T0 + 2 * HOUR)).toBeUndefined();
  });
});
