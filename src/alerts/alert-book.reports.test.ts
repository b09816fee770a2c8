/** Resident reports (随手拍) in the alert book: raised as `resident-report` alerts and dispatched, resolve → close, spam, taken back after a restart, never resumed by the rules, no token hash in the API schema. */
import { describe, expect, it } from 'vitest';
import { routingFor } from '../testing/routing.fixture.ts';
import { AlertBook, REPORT_RESOLVED, REPORT_SPAM, type ReportSpec } from './alert-book.ts';
import { alertsConfigSchema } from './sla.config.ts';
import { loadRules } from '../rules/rules.loader.ts';
import type { AlertEvent } from './alert.types.ts';
import { alertSchema } from './alert.schema.ts';
import { isHubError } from '../errors.ts';
import { withoutReportSecret } from './report-secret.ts';
import { alertMessage } from '../dispatch/mqtt-alert.publisher.ts';

const T0 = 1_800_000_000_000;
const MIN = 60_000;
const HASH = 'ab'.repeat(32);
const spec = (over: Partial<ReportSpec> = {}): ReportSpec => ({ compound: 'c01', building: 'b1', category: 'fire_lane', text: '消防通道被电动车堵住', tokenHash: HASH, at: T0, ...over });

async function setup() {
  let n = 0;
  const config = alertsConfigSchema.parse({ grids: [{ id: 'g1', compounds: ['c01'], workers: ['wang'] }], remindMin: {}, callTree: {} });
  const rules = await loadRules(undefined);
  const book = new AlertBook(config, rules, routingFor(config, []), () => `a${++n}`);
  const events: AlertEvent[] = [];
  book.onEvent((e) => events.push(e));
  return { book, events, config, rules };
}

describe('AlertBook.report', () => {
  it('raises a minor alert of rule resident-report on a device of its own, of the category’s type, dispatched by the routing', async () => {
    const { book, events } = await setup();
    const alert = book.report(spec({ photo: 'p-1' }));
    expect(alert).toMatchObject({
      id: 'a1',
      ruleId: 'resident-report',
      name: { zh: '居民报告', en: 'Resident report' },
      severity: 'minor',
      type: 'fire_lane',
      compound: 'c01',
      device: 'report-a1',
      deviceKey: 'c01/report/a1',
      condition: 'active',
      workflow: 'dispatched',
      assignee: 'wang',
      report: { id: 'a1', category: 'fire_lane', building: 'b1', text: '消防通道被电动车堵住', tokenHash: HASH, photo: 'p-1' },
    });
    expect(events.map((e) => e.kind)).toEqual(['raised', 'dispatched']);
    // A second report of the same building is its own alert.
    expect(book.report(spec({ at: T0 + 1 })).id).toBe('a2');
    expect(book.list({ open: true })).toHaveLength(2);
  });

  it('is no condition for the rules to judge again after a restart', async () => {
    const { book } = await setup();
    book.report(spec());
    expect(book.activeConditions()).toEqual([]);
  });

  it('clears its condition on resolve, so the manager can close it (and the auto-close would)', async () => {
    const { book, events } = await setup();
    const { id } = book.report(spec());
    book.accept(id, 'wang', T0 + MIN);
    book.resolve(id, 'wang', '已挪走电动车', T0 + 2 * MIN);
    expect(book.get(id)).toMatchObject({ workflow: 'resolved', condition: 'cleared', clearedAt: T0 + 2 * MIN });
    expect(events.at(-1)).toMatchObject({ kind: 'condition_cleared', actor: 'hub', note: REPORT_RESOLVED });
    book.close(id, 'zhao', T0 + 3 * MIN);
    expect(book.get(id).workflow).toBe('closed');
    // Closed while cleared: nothing raised again.
    expect(book.list({ open: true })).toEqual([]);
  });

  it('closes by itself once resolved and quiet for autoCloseMin', async () => {
    const { book, config } = await setup();
    const { id } = book.report(spec());
    book.accept(id, 'wang', T0);
    book.resolve(id, 'wang', '已处理', T0);
    book.tick(T0 + config.autoCloseMin * MIN);
    expect(book.get(id).workflow).toBe('closed');
  });

  it('marks a report as spam: marked_spam, the condition cleared, closed with note spam; refused on other alerts and closed ones', async () => {
    const { book, events } = await setup();
    const { id } = book.report(spec());
    const from = events.length;
    const alert = book.markSpam(id, 'zhao', T0 + MIN, '重复举报');
    expect(alert).toMatchObject({ workflow: 'closed', condition: 'cleared', report: { spam: true } });
    expect(events.slice(from).map((e) => [e.kind, e.actor, e.note])).toEqual([
      ['marked_spam', 'zhao', '重复举报'],
      ['condition_cleared', 'hub', REPORT_SPAM],
      ['closed', 'zhao', REPORT_SPAM],
    ]);
    expect(book.list({ open: true })).toEqual([]);
    expect(() => book.markSpam(id, 'zhao', T0 + 2 * MIN)).toThrow(expect.objectContaining({ code: 'INVALID_TRANSITION' }));

    book.applyCondition({ change: 'raised', ruleId: 'elevator-trapped', kind: 'event', severity: 'critical', deviceKey: 'c01/elevator/e1', compound: 'c01', type: 'elevator', device: 'e1', at: T0, count: 1 });
    const lift = book.findOpen('c01/elevator/e1', 'elevator-trapped')!;
    let error: unknown;
    try {
      book.markSpam(lift.id, 'zhao', T0);
    } catch (e) {
      error = e;
    }
    expect(isHubError(error, 'INVALID_TRANSITION')).toBe(true);
    expect(book.get(lift.id).workflow).toBe('dispatched');
  });

  it('is taken back after a restart as it was, with its report and name, though no rule names it', async () => {
    const { book, config, rules } = await setup();
    const { id } = book.report(spec());
    book.accept(id, 'wang', T0 + MIN);
    const saved = JSON.parse(JSON.stringify(book.list({ open: true })));
    const again = new AlertBook(config, rules, routingFor(config, []), () => 'x');
    again.adopt(saved);
    expect(again.get(id)).toEqual(book.get(id));
    expect(again.activeConditions()).toEqual([]);
    again.resolve(id, 'wang', '已处理', T0 + 2 * MIN);
    expect(again.close(id, 'zhao', T0 + 3 * MIN).workflow).toBe('closed');
  });

  it('never shows the token hash: not in the API schema, the live socket’s copy or the MQTT alert topic', async () => {
    const { book } = await setup();
    const alert = book.report(spec());
    const answered = alertSchema.parse(alert);
    expect(answered.report).toEqual({ id: 'a1', category: 'fire_lane', building: 'b1', text: '消防通道被电动车堵住' });
    expect(JSON.stringify(answered)).not.toContain(HASH);
    expect(JSON.stringify(withoutReportSecret(alert))).not.toContain(HASH);
    expect(withoutReportSecret(alert).report?.text).toBe('消防通道被电动车堵住');
    expect(alertMessage(alert)).not.toContain(HASH);
    expect(JSON.parse(alertMessage(alert)).report.text).toBe('消防通道被电动车堵住');
    // The book's own copy keeps it (the receipt route needs it).
    expect(book.get(alert.id).report?.tokenHash).toBe(HASH);
  });
});
