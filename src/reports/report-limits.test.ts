/** The resident reports' token buckets: per address (an IPv6 /64 as one) and per building, both checked before either is taken, refilled over the hour, bounded in keys. */
import { describe, expect, it } from 'vitest';
import { REPORT_LIMITS, ReportLimiter } from './report-limits.ts';
import { REPORTS_PER_ADDRESS_PER_HOUR, REPORTS_PER_BUILDING_PER_HOUR } from '../contracts/reports.ts';

const HOUR = 3_600_000;

describe('ReportLimiter', () => {
  it('lets one address make REPORTS_PER_ADDRESS_PER_HOUR reports, then says how long to wait', () => {
    const clock = { now: 0 };
    const limiter = new ReportLimiter(REPORT_LIMITS, () => clock.now);
    for (let i = 0; i < REPORTS_PER_ADDRESS_PER_HOUR; i++) expect(limiter.take('10.0.0.1', 'c01', 'b1')).toEqual({ ok: true });
    const refused = limiter.take('10.0.0.1', 'c01', 'b2');
    expect(refused).toEqual({ ok: false, limit: 'address', retryAfterSec: HOUR / REPORTS_PER_ADDRESS_PER_HOUR / 1000 });
    // Another address is not held back.
    expect(limiter.take('10.0.0.2', 'c01', 'b1').ok).toBe(true);
    // One token comes back after an hour / capacity.
    clock.now = HOUR / REPORTS_PER_ADDRESS_PER_HOUR - 1000;
    expect(limiter.take('10.0.0.1', 'c01', 'b1')).toEqual({ ok: false, limit: 'address', retryAfterSec: 1 });
    clock.now = HOUR / REPORTS_PER_ADDRESS_PER_HOUR;
    expect(limiter.take('10.0.0.1', 'c01', 'b1').ok).toBe(true);
    expect(limiter.take('10.0.0.1', 'c01', 'b1').ok).toBe(false);
    // After a whole hour it is full again, never more than full.
    clock.now += 10 * HOUR;
    for (let i = 0; i < REPORTS_PER_ADDRESS_PER_HOUR; i++) expect(limiter.take('10.0.0.1', 'c01', 'b1').ok).toBe(true);
    expect(limiter.take('10.0.0.1', 'c01', 'b1').ok).toBe(false);
  });

  it('counts an IPv6 /64 as one address (and an IPv4-mapped address as the IPv4 one)', () => {
    const limiter = new ReportLimiter(REPORT_LIMITS, () => 0);
    for (let i = 0; i < REPORTS_PER_ADDRESS_PER_HOUR; i++) expect(limiter.take(`2001:db8:1:2::${i + 1}`, 'c01', 'b1').ok).toBe(true);
    expect(limiter.take('2001:db8:1:2:ffff::9', 'c01', 'b1')).toMatchObject({ ok: false, limit: 'address' });
    expect(limiter.take('2001:db8:1:3::1', 'c01', 'b1').ok).toBe(true);
    for (let i = 0; i < REPORTS_PER_ADDRESS_PER_HOUR; i++) limiter.take('192.0.2.7', 'c01', 'b1');
    expect(limiter.take('::ffff:192.0.2.7', 'c01', 'b1')).toMatchObject({ ok: false, limit: 'address' });
  });

  it('lets one building have REPORTS_PER_BUILDING_PER_HOUR reports from all addresses, other buildings apart', () => {
    const limiter = new ReportLimiter(REPORT_LIMITS, () => 0);
    for (let i = 0; i < REPORTS_PER_BUILDING_PER_HOUR; i++) expect(limiter.take(`10.0.1.${i}`, 'c01', 'b1').ok).toBe(true);
    const refused = limiter.take('10.0.2.1', 'c01', 'b1');
    expect(refused).toEqual({ ok: false, limit: 'building', retryAfterSec: HOUR / REPORTS_PER_BUILDING_PER_HOUR / 1000 });
    expect(limiter.take('10.0.2.1', 'c01', 'b2').ok).toBe(true);
    expect(limiter.take('10.0.2.1', 'c02', 'b1').ok).toBe(true);
  });

  it('takes nothing from the address when the building refuses (both checked before either is taken)', () => {
    const limiter = new ReportLimiter({ ...REPORT_LIMITS, perAddress: 2, perBuilding: 1 }, () => 0);
    expect(limiter.take('10.0.0.1', 'c01', 'b1').ok).toBe(true);
    expect(limiter.take('10.0.0.1', 'c01', 'b1')).toMatchObject({ ok: false, limit: 'building' });
    expect(limiter.take('10.0.0.1', 'c01', 'b2').ok).toBe(true);
    expect(limiter.take('10.0.0.1', 'c01', 'b3')).toMatchObject({ ok: false, limit: 'address' });
  });

  it('remembers at most maxKeys buckets: the oldest is forgotten (full again)', () => {
    const limiter = new ReportLimiter({ ...REPORT_LIMITS, perAddress: 1, perBuilding: 100, maxKeys: 2 }, () => 0);
    expect(limiter.take('10.0.0.1', 'c01', 'b1').ok).toBe(true);
    expect(limiter.take('10.0.0.2', 'c01', 'b1').ok).toBe(true);
    expect(limiter.take('10.0.0.1', 'c01', 'b1').ok).toBe(false);
    expect(limiter.take('10.0.0.3', 'c01', 'b1').ok).toBe(true);
    // 10.0.0.1 was the oldest when 10.0.0.3 came.
    expect(limiter.take('10.0.0.1', 'c01', 'b1').ok).toBe(true);
    expect(limiter.take('10.0.0.3', 'c01', 'b1').ok).toBe(false);
  });
});
