/** The alert event log's lines (alert-log.ts); reading them back from a real influxd: test/security/influx-roundtrip.integration.test.ts. */
import { describe, expect, it } from 'vitest';
import { AlertEventLines } from './alert-log.ts';
import type { Alert } from './alert.types.ts';

const T0 = 1_800_000_000_000;
const alert: Alert = {
  id: 'a1', ruleId: 'elevator-trapped', name: { zh: '困人', en: 'trapped' }, severity: 'critical', deviceKey: 'c01/elevator/e1', compound: 'c01', type: 'elevator',
  device: 'e1', workflow: 'resolved', condition: 'active', raisedAt: T0, lastSeenAt: T0, count: 1, escalationLevel: 0, history: [],
};

describe('alert_events', () => {
  it('writes the photo of a resolve as a string field, and none when there is none', () => {
    const lines = new AlertEventLines();
    const withPhoto = lines.line({ alertId: 'a1', kind: 'resolved', at: T0, actor: 'wang', note: '已修好', photo: 'ph-1' }, alert);
    expect(withPhoto).toMatch(/ alertId="a1",state="resolved",.*,photo="ph-1" \d+$/);
    expect(lines.line({ alertId: 'a1', kind: 'resolved', at: T0 + 1, actor: 'wang', note: '已修好' }, alert)).not.toContain('photo=');
  });
});

describe('alert_events of a cluster instance', () => {
  it('carries the partition of the alert and the instance that wrote the event', () => {
    const lines = new AlertEventLines({ instance: 'hub-2', partitionOf: (compound) => (compound === 'c01' ? 17 : 0) });
    const line = lines.line({ alertId: 'a1', kind: 'accepted', at: T0, actor: 'wang' }, alert);
    expect(line).toMatch(/^alert_events,compound=c01,instance=hub-2,rule=elevator-trapped,/);
    expect(line).toMatch(/,partition=17i \d+$/);
    expect(new AlertEventLines().line({ alertId: 'a1', kind: 'accepted', at: T0, actor: 'wang' }, alert)).not.toContain('partition=');
  });
});
