import { describe, expect, it } from 'vitest';
import { ALERT_EVENT_KINDS, type AlertEventKind } from '../alerts/alert.types.ts';
import { isPosted } from './webhook.filter.ts';
import { trappedAlert, T0 } from '../testing/channels.fixture.ts';

const event = (kind: AlertEventKind) => ({ alertId: 'a1', kind, at: T0, actor: 'hub' });

describe('which events a webhook is told of', () => {
  it('by default: every step but repeats and incident membership changes, reminders and calls included', () => {
    const posted = ALERT_EVENT_KINDS.filter((k) => isPosted({}, event(k), trappedAlert()));
    expect(posted).toEqual(ALERT_EVENT_KINDS.filter((k) => !['repeated', 'member_joined', 'member_left'].includes(k)));
    expect(posted).toEqual(expect.arrayContaining(['reminded', 'called', 'escalated', 'arrived', 'released', 'flapping', 'stable']));
  });

  it('an events list replaces the default (never repeats); severities narrow it', () => {
    const hook = { events: ['member_joined', 'repeated', 'raised'] as AlertEventKind[], severities: ['critical' as const] };
    expect(isPosted(hook, event('member_joined'), trappedAlert())).toBe(true);
    expect(isPosted(hook, event('repeated'), trappedAlert())).toBe(false);
    expect(isPosted(hook, event('dispatched'), trappedAlert())).toBe(false);
    expect(isPosted(hook, event('raised'), trappedAlert({ severity: 'minor' }))).toBe(false);
  });

  it('while an alert flaps, its condition toggles are not posted; the flapping and stable steps are', () => {
    const flapping = trappedAlert({ flapping: true });
    for (const kind of ['condition_active', 'condition_cleared'] as const) {
      expect(isPosted({}, event(kind), flapping)).toBe(false);
      expect(isPosted({ events: [kind] }, event(kind), flapping)).toBe(false);
      expect(isPosted({}, event(kind), trappedAlert())).toBe(true);
    }
    expect(isPosted({}, event('flapping'), flapping)).toBe(true);
    expect(isPosted({}, event('stable'), trappedAlert({ flapping: false }))).toBe(true);
  });
});
