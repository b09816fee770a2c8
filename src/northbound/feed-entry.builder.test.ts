/**
 * The feed entry builder: every field of the v1 contract from an alert event, and nothing else —
 * an alert full of people, notes, photos, positions and a resident's report gives an entry in
 * which no key and no value holds any of them (walked key by key); the actor is only hub or
 * person; ids are stable; a figures entry carries overall and byCompound of closedLoopReport.
 */
import { describe, expect, it } from 'vitest';
import type { Alert, AlertEvent, StoredAlertEvent } from '../alerts/alert.types.ts';
import { alertEventEntry, entryIdOf, figuresEntry, isFed } from './feed-entry.builder.ts';
import { alertEventEntrySchema, feedEntrySchema, figuresEntrySchema } from '../contracts/northbound.ts';
import { closedLoopReport } from '../alerts/closed-loop.figures.ts';
import { defaultAlertsConfig } from '../alerts/sla.config.ts';
import { walk } from '../testing/json-walk.ts';

const T0 = 1_800_000_000_000;
const NOTE = '业主张女士 13912345678 在轿厢内';
const COMMENT = '师傅态度很好 wang-fang';
const REPORT_TEXT = '3号楼门口有电动车充电 resident-text';

const history: AlertEvent[] = [
  { alertId: 'a-1', kind: 'raised', at: T0, actor: 'hub' },
  { alertId: 'a-1', kind: 'dispatched', at: T0 + 1, actor: 'hub', assignee: 'wang-fang' },
  { alertId: 'a-1', kind: 'accepted', at: T0 + 2, actor: 'wang-fang', note: NOTE },
  { alertId: 'a-1', kind: 'arrived', at: T0 + 3, actor: 'wang-fang', position: { lat: 30.2741, lon: 120.1551, accuracyM: 12 }, distanceM: 43 },
  { alertId: 'a-1', kind: 'handed_over', at: T0 + 4, actor: 'zhao-manager', party: 'fire-desk', assignee: 'fire-1', note: NOTE },
  { alertId: 'a-1', kind: 'resolved', at: T0 + 5, actor: 'fire-1', note: NOTE, photo: 'photo-secret-id' },
  { alertId: 'a-1', kind: 'closed', at: T0 + 6, actor: 'hub' },
  { alertId: 'a-1', kind: 'evaluated', at: T0 + 7, actor: 'committee-chen', party: 'committee', score: 4, note: COMMENT },
];

const alert: Alert = {
  id: 'a-1',
  ruleId: 'elevator-trapped',
  name: { zh: '电梯困人', en: 'Passenger trapped in elevator' },
  severity: 'critical',
  deviceKey: 'c01/elevator/elev-secret-device',
  compound: 'c01',
  type: 'elevator',
  device: 'elev-secret-device',
  workflow: 'closed',
  condition: 'cleared',
  raisedAt: T0,
  lastSeenAt: T0 + 3,
  count: 2,
  value: 17.5,
  field: 'loadPct',
  clearedAt: T0 + 4,
  assignee: 'fire-1',
  escalationLevel: 1,
  dueAt: T0 + 9,
  arrival: { dueAt: T0 + 1800, at: T0 + 3, by: 'wang-fang', position: { lat: 30.2741, lon: 120.1551 }, distanceM: 43 },
  called: ['li-called'],
  escalatedTo: ['chief-escalated'],
  parties: ['fire-desk'],
  evaluations: [{ party: 'committee', score: 4, comment: COMMENT, by: 'committee-chen', at: T0 + 7 }],
  report: { id: 'report-secret-id', category: 'elevator', building: 'b1', text: REPORT_TEXT, photo: 'photo-secret-id' },
  history,
};

const places = {
  compound: (id: string) => (id === 'c01' ? { name: '金色家园', street: { id: 'lingyin', name: '灵隐街道' }, district: { id: 'xihu', name: '西湖区' } } : undefined),
};


const FORBIDDEN_TEXT = [NOTE, '13912345678', COMMENT, REPORT_TEXT, 'wang-fang', 'zhao-manager', 'fire-1', 'committee-chen', 'li-called', 'chief-escalated', 'photo-secret-id', 'report-secret-id', 'elev-secret-device', '30.2741', '120.1551', '17.5'];
const FORBIDDEN_KEYS = ['note', 'notes', 'comment', 'photo', 'photos', 'actor', 'assignee', 'position', 'lat', 'lon', 'distanceM', 'history', 'report', 'arrival', 'called', 'escalatedTo', 'evaluations', 'device', 'deviceKey', 'value', 'field', 'contact', 'name.person'];

describe('alert event entries', () => {
  it('holds every field of the contract and parses with its schema', () => {
    const entry = alertEventEntry(history[4]!, alert, { source: 'district-xihu', places });
    expect(alertEventEntrySchema.parse(entry)).toEqual(entry);
    expect(entry).toStrictEqual({
      v: 1,
      id: 'a-1.4',
      kind: 'alert_event',
      at: T0 + 4,
      source: 'district-xihu',
      compound: { id: 'c01', name: '金色家园' },
      street: { id: 'lingyin', name: '灵隐街道' },
      district: { id: 'xihu', name: '西湖区' },
      alert: { id: 'a-1', rule: 'elevator-trapped', name: { zh: '电梯困人', en: 'Passenger trapped in elevator' }, severity: 'critical', type: 'elevator', workflow: 'closed', condition: 'cleared', raisedAt: T0 },
      event: { kind: 'handed_over', at: T0 + 4, by: 'person', party: 'fire-desk' },
    });
  });

  it('leaks no person, note, comment, photo, position, device or report anywhere, for any event of the alert', () => {
    for (const event of history) {
      const entry = alertEventEntry(event, alert, { source: 'district-xihu', places });
      const seen: Array<{ at: string; text: string }> = [];
      walk(entry, '$', seen);
      expect(seen.length).toBeGreaterThan(30);
      for (const { at, text } of seen) {
        for (const bad of FORBIDDEN_TEXT) expect(text, `${event.kind} ${at}: ${text}`).not.toContain(bad);
        if (at.endsWith('(key)')) expect(FORBIDDEN_KEYS, `${event.kind} ${at}`).not.toContain(text);
      }
    }
  });

  it('says only hub or person for who took the step, and carries the party and the score of an evaluation', () => {
    const by = history.map((e) => alertEventEntry(e, alert, { source: 's', places }).event.by);
    expect(by).toEqual(['hub', 'hub', 'person', 'person', 'person', 'person', 'hub', 'person']);
    expect(alertEventEntry(history[7]!, alert, { source: 's', places }).event).toStrictEqual({ kind: 'evaluated', at: T0 + 7, by: 'person', party: 'committee', score: 4 });
  });

  it('names the compound by its id when the registry does not know it, without street or district', () => {
    const entry = alertEventEntry(history[0]!, { ...alert, compound: 'c99' }, { source: 's', places });
    expect(entry.compound).toEqual({ id: 'c99', name: 'c99' });
    expect(entry).not.toHaveProperty('street');
    expect(entry).not.toHaveProperty('district');
    expect(feedEntrySchema.parse(entry)).toEqual(entry);
  });

  it('gives an event a stable id by its place in the history, an event outside it one by kind and time; repeats are not fed', () => {
    expect(history.map((e) => entryIdOf(e, alert))).toEqual(history.map((_, i) => `a-1.${i}`));
    expect(entryIdOf(history[2]!, alert)).toBe(entryIdOf(history[2]!, alert));
    const repeat: AlertEvent = { alertId: 'a-1', kind: 'repeated', at: T0 + 9, actor: 'hub' };
    expect(entryIdOf(repeat, alert)).toBe(`a-1.repeated.${T0 + 9}`);
    expect(isFed(repeat)).toBe(false);
    expect(history.every(isFed)).toBe(true);
  });
});

describe('figures entries', () => {
  it('carries overall and byCompound of the closed-loop report, and parses with its schema', () => {
    const stored: StoredAlertEvent[] = history.map((e) => ({ ...e, ruleId: alert.ruleId, severity: alert.severity, compound: 'c01', type: 'elevator', device: alert.device }));
    stored.push({ alertId: 'a-2', kind: 'raised', at: T0 + 10, actor: 'hub', ruleId: 'manhole-tilt', severity: 'major', compound: 'c02', type: 'manhole', device: 'm1' });
    const report = closedLoopReport(stored, defaultAlertsConfig(), { from: T0 - 1000, to: T0 + 1000 }, T0 + 1000);
    const entry = figuresEntry(report, { source: 'district-xihu', at: T0 + 1000 });
    expect(figuresEntrySchema.parse(entry)).toEqual(entry);
    expect(entry).toMatchObject({ v: 1, id: `figures.${T0 + 1000}`, kind: 'figures', at: T0 + 1000, source: 'district-xihu', from: T0 - 1000, to: T0 + 1000 });
    expect(entry.overall).toEqual(report.overall);
    expect(entry.byCompound).toEqual(report.byCompound);
    expect(Object.keys(entry.byCompound)).toEqual(['c01', 'c02']);
    expect(entry.overall!.alerts).toBe(2);
    expect(entry.overall!.handedOver).toBe(1);
    expect(entry.overall!.satisfaction.byParty.committee).toEqual({ ratings: 1, mean: 4, satisfied: 1, rate: 1 });
    // No worker, rule or party breakdown: byWorker names people.
    expect(Object.keys(entry).sort()).toEqual(['at', 'byCompound', 'from', 'id', 'kind', 'overall', 'source', 'to', 'v']);
  });
});
