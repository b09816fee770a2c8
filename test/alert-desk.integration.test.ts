/**
 * The alert desk on a real hub (issue 16): alerts raised by real MQTT elevators, queried with
 * filters, sorts and pages with totals, within the user's scope; bulk accept and comment answered
 * per alert and audited; the closed archive read from the operational database after a restart;
 * the CSV export (BOM, names, escaping, formula guard). On SQLite and on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../src/hub.ts';
import type { BulkAnswer, DeskAnswer, DeskChoices, DeskRow } from '../src/contracts/alert-desk.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { apiFetch, getJson, postJson, startTestHub } from './helpers/test-hub.ts';
import { raiseDeskAlerts, writeDeskFleet, type DeskFleet } from './helpers/desk-fleet.ts';
import { startPostgres, type Postgres } from './helpers/postgres.ts';

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`alert desk on ${engine}`, () => {
    let dir: Awaited<ReturnType<typeof tempDir>>;
    let hub: Hub;
    let fleet: DeskFleet;
    let postgres: Postgres | undefined;
    /** Alert ids: h1's trapped (A1, b1), e-bike (A2, b2), alarm button (A3, b3); h2's trapped (B1, b1), top overrun (B2, b2). */
    const ids: Record<'A1' | 'A2' | 'A3' | 'B1' | 'B2', string> = { A1: '', A2: '', A3: '', B1: '', B2: '' };

    const desk = (query: string, user = 'root') => getJson<DeskAnswer>(hub, `/api/desk/alerts?${query}`, user);
    const idsOf = (answer: DeskAnswer) => answer.rows.map((r) => r.alert.id);
    const nameOf = (id: string) => Object.entries(ids).find(([, v]) => v === id)?.[0];

    beforeAll(async () => {
      dir = await tempDir(`alert-desk-${engine}`);
      fleet = await writeDeskFleet(dir.path);
      if (engine === 'postgres') {
        postgres = await startPostgres();
        fleet.env.DATABASE_URL = await postgres.createDatabase();
      }
      hub = await startTestHub(fleet.env);
      Object.assign(ids, await raiseDeskAlerts(hub, fleet));
    }, 60_000);
    afterAll(async () => {
      await hub?.stop();
      await postgres?.stop();
      await dir?.remove();
    });

    describe('alert desk query', () => {
      it('filters by state, compound, severity, rule, building, assignee, text and time, with totals', async () => {
        expect(hub.info.state).toMatch(engine === 'postgres' ? /^PostgreSQL/ : /^SQLite/);
        expect((await desk('')).total).toBe(5);
        expect((await desk('state=open')).total).toBe(5);
        expect((await desk('state=closed')).total).toBe(0);
        expect((await desk('state=dispatched')).total).toBe(5);
        expect(idsOf(await desk('compound=h1')).map(nameOf).sort()).toEqual(['A1', 'A2', 'A3']);
        expect(idsOf(await desk('severity=critical')).map(nameOf).sort()).toEqual(['A1', 'B1']);
        expect(idsOf(await desk('rule=elevator-top-overrun')).map(nameOf)).toEqual(['B2']);
        expect(idsOf(await desk('building=b2')).map(nameOf).sort()).toEqual(['A2', 'B2']);
        expect(idsOf(await desk('building=b3&compound=h1')).map(nameOf)).toEqual(['A3']);
        // Text: a rule's name, a device's name, a device id.
        expect(idsOf(await desk(`q=${encodeURIComponent('电动车')}`)).map(nameOf)).toEqual(['A2']);
        expect(idsOf(await desk(`q=${encodeURIComponent('2号楼')}`)).map(nameOf).sort()).toEqual(['A2', 'B2']);
        expect(idsOf(await desk('q=ELEV-03')).map(nameOf)).toEqual(['A3']);
        const all = await desk('limit=200');
        const assignees = new Set(all.rows.map((r) => r.alert.assignee));
        expect(assignees.size).toBe(1);
        const [assignee] = [...assignees];
        expect((await desk(`assignee=${assignee}`)).total).toBe(5);
        expect((await desk(`assignee=${assignee === 'wang' ? 'li' : 'wang'}`)).total).toBe(0);
        const raised = Object.fromEntries(all.rows.map((r) => [nameOf(r.alert.id), r.alert.raisedAt]));
        expect(idsOf(await desk(`from=${raised.B1}`)).map(nameOf).sort()).toEqual(['B1', 'B2']);
        expect(idsOf(await desk(`to=${raised.A2}`)).map(nameOf)).toEqual(['A1']);
        // Rows carry names, not only ids.
        const a2 = all.rows.find((r) => r.alert.id === ids.A2)!;
        expect(a2).toMatchObject({ compoundName: '翠苑一区', deviceName: '2号楼 1号电梯', building: 'b2', buildingName: '2号楼' });
        // Bad filters are refused.
        expect((await apiFetch(hub, '/api/desk/alerts?limit=201')).status).toBe(400);
        expect((await apiFetch(hub, '/api/desk/alerts?state=lost')).status).toBe(400);
      });

      it('sorts by time, severity, workflow and compound, both ways, and pages without overlap', async () => {
        expect(idsOf(await desk('sort=raisedAt&dir=asc')).map(nameOf)).toEqual(['A1', 'A2', 'A3', 'B1', 'B2']);
        expect(idsOf(await desk('')).map(nameOf)).toEqual(['B2', 'B1', 'A3', 'A2', 'A1']);
        // Most severe first, newest first among equals.
        expect(idsOf(await desk('sort=severity&dir=desc')).map(nameOf)).toEqual(['B1', 'A1', 'B2', 'A3', 'A2']);
        expect(idsOf(await desk('sort=severity&dir=asc')).map(nameOf)).toEqual(['A2', 'B2', 'A3', 'B1', 'A1']);
        // By compound name (zh-CN collation: 翠苑一区 before 西溪花园).
        expect(idsOf(await desk('sort=compound&dir=asc')).map(nameOf)).toEqual(['A3', 'A2', 'A1', 'B2', 'B1']);
        expect(idsOf(await desk('sort=compound&dir=desc')).map(nameOf)).toEqual(['B2', 'B1', 'A3', 'A2', 'A1']);
        const pages = [await desk('sort=severity&limit=2&offset=0'), await desk('sort=severity&limit=2&offset=2'), await desk('sort=severity&limit=2&offset=4')];
        expect(pages.map((p) => p.total)).toEqual([5, 5, 5]);
        expect(pages.map((p) => p.rows.length)).toEqual([2, 2, 1]);
        expect(pages.flatMap(idsOf).map(nameOf)).toEqual(['B1', 'A1', 'B2', 'A3', 'A2']);
        expect(pages[1]).toMatchObject({ limit: 2, offset: 2 });
      });

      it('holds to scope: a manager of h2 sees only h2, a worker does not read the desk', async () => {
        const qian = await desk('limit=200', 'qian');
        expect(qian.total).toBe(2);
        expect(qian.rows.every((r) => r.alert.compound === 'h2')).toBe(true);
        expect((await desk(`q=${ids.A1}`, 'qian')).total).toBe(0);
        expect((await apiFetch(hub, '/api/desk/alerts?compound=h1', {}, 'qian')).status).toBe(403);
        expect((await apiFetch(hub, `/api/desk/alerts/${ids.A1}`, {}, 'qian')).status).toBe(403);
        expect((await apiFetch(hub, '/api/desk/alerts.csv?compound=h1', {}, 'qian')).status).toBe(403);
        expect((await apiFetch(hub, '/api/desk/alerts', {}, 'wang')).status).toBe(403);
        // A worker takes no bulk steps on the desk either (their own alerts go through the single-alert routes).
        for (const [route, body] of [['accept', { ids: [ids.A1, ids.B1] }], ['comment', { ids: [ids.A1], note: 'x' }]] as const) {
          const res = await postJson(hub, `/api/desk/alerts/${route}`, body, 'wang');
          expect(res.status, route).toBe(403);
          expect(((await res.json()) as { error: string }).error, route).toBe('FORBIDDEN');
        }
        expect((await getJson(hub, `/api/alerts/${ids.A1}`)).workflow).toBe('dispatched');
        const choices = await getJson<DeskChoices>(hub, '/api/desk/choices', 'qian');
        expect(choices.compounds).toEqual([{ id: 'h2', name: '西溪花园' }]);
        expect(choices.buildings.map((b) => `${b.compound}/${b.id}:${b.name}`)).toEqual(['h2/b1:1号楼', 'h2/b2:2号楼', 'h2/b3:3号楼']);
        // The district viewer reads every compound, but takes no steps.
        expect((await desk('', 'sun')).total).toBe(5);
        expect((await postJson(hub, '/api/desk/alerts/accept', { ids: [ids.B1] }, 'sun')).status).toBe(403);
      });
    });

    describe('bulk steps', () => {
      it('accepts several alerts, each checked as if alone, and audits each step', async () => {
        const res = await postJson(hub, '/api/desk/alerts/accept', { ids: [ids.B1, ids.B2, ids.A1, 'a-nope'] }, 'qian');
        expect(res.status).toBe(200);
        const { results } = (await res.json()) as BulkAnswer;
        expect(results.map((r) => [nameOf(r.id) ?? r.id, r.ok, r.error])).toEqual([
          ['B1', true, undefined],
          ['B2', true, undefined],
          // Outside qian's scope: answered as an unknown id is, so the answer does not tell which ids exist.
          ['A1', false, 'NOT_FOUND'],
          ['a-nope', false, 'NOT_FOUND'],
        ]);
        expect(results[0]!.alert).toMatchObject({ workflow: 'accepted' });
        expect(idsOf(await desk('state=accepted')).map(nameOf).sort()).toEqual(['B1', 'B2']);
        expect((await getJson(hub, `/api/alerts/${ids.A1}`)).workflow).toBe('dispatched');
        // Again: the book's workflow says no.
        const again = (await (await postJson(hub, '/api/desk/alerts/accept', { ids: [ids.B1] }, 'qian')).json()) as BulkAnswer;
        expect(again.results).toEqual([{ id: ids.B1, ok: false, error: 'INVALID_TRANSITION' }]);
        // Each accept is in the audit log as the single-alert route writes it.
        await expect
          .poll(async () => (await getJson<{ entries: Array<{ target: string; actor: string; before: unknown; after: unknown }> }>(hub, '/api/admin/audit?action=alert_accepted')).entries.map((e) => `${e.actor} ${e.target}`).sort())
          .toEqual([`qian alert:${ids.B1}`, `qian alert:${ids.B2}`].sort());
        // Too many at once, or none, is refused whole.
        expect((await postJson(hub, '/api/desk/alerts/accept', { ids: Array.from({ length: 101 }, (_, i) => `a-${i}`) }, 'qian')).status).toBe(400);
        expect((await postJson(hub, '/api/desk/alerts/accept', { ids: [] }, 'qian')).status).toBe(400);
      });

      it('comments on several alerts at once, each audited with its note', async () => {
        const res = await postJson(hub, '/api/desk/alerts/comment', { ids: [ids.A1, ids.A3], note: '=1+2' }, 'zhao');
        const { results } = (await res.json()) as BulkAnswer;
        expect(results.map((r) => r.ok)).toEqual([true, true]);
        const a1 = await getJson<DeskRow>(hub, `/api/desk/alerts/${ids.A1}`, 'zhao');
        expect(a1.alert.history.at(-1)).toMatchObject({ kind: 'commented', actor: 'zhao', note: '=1+2' });
        await expect
          .poll(async () => (await getJson<{ entries: Array<{ target: string; note?: string }> }>(hub, '/api/admin/audit?action=alert_commented&actor=zhao')).entries.map((e) => `${e.target} ${e.note}`).sort())
          .toEqual([`alert:${ids.A1} =1+2`, `alert:${ids.A3} =1+2`].sort());
        expect((await postJson(hub, '/api/desk/alerts/comment', { ids: [ids.A1], note: '  ' }, 'zhao')).status).toBe(400);
      });
    });

    describe('closed archive', () => {
      it('lists closed alerts from the database, also after a restart, within scope', async () => {
        // 赵敏 takes A2 through to closed (its condition still active: closed with force and a note, which opens a new alert for it).
        expect((await postJson(hub, `/api/alerts/${ids.A2}/accept`, {}, 'zhao')).status).toBe(200);
        expect((await postJson(hub, `/api/alerts/${ids.A2}/resolve`, { note: '已劝离电动车' }, 'zhao')).status).toBe(200);
        expect((await postJson(hub, `/api/alerts/${ids.A2}/close`, { note: 'He said "done", ok', force: true }, 'zhao')).status).toBe(200);
        expect(idsOf(await desk('state=closed')).map(nameOf)).toEqual(['A2']);
        expect((await desk('state=all')).total).toBe(6);

        await hub.stop();
        hub = await startTestHub(fleet.env);
        // Not in memory any more: only the archive has it.
        expect((await apiFetch(hub, `/api/alerts/${ids.A2}`)).status).toBe(404);
        const closed = await desk('state=closed', 'zhao');
        expect(closed.total).toBe(1);
        expect(closed.rows[0]).toMatchObject({ compoundName: '翠苑一区', deviceName: '2号楼 1号电梯', alert: { id: ids.A2, workflow: 'closed' } });
        expect(closed.rows[0]!.alert.history.map((e) => e.kind)).toEqual(expect.arrayContaining(['raised', 'dispatched', 'accepted', 'resolved', 'closed']));
        const one = await getJson<DeskRow>(hub, `/api/desk/alerts/${ids.A2}`, 'zhao');
        expect(one.alert.history.find((e) => e.kind === 'resolved')).toMatchObject({ actor: 'zhao', note: '已劝离电动车' });
        expect((await desk('state=all&compound=h1&severity=minor', 'zhao')).total).toBe(2);
        expect((await desk('state=closed&q=' + encodeURIComponent('电动车'), 'zhao')).total).toBe(1);
        expect((await desk('state=closed&building=b2', 'zhao')).total).toBe(1);
        expect((await desk('state=closed&building=b1', 'zhao')).total).toBe(0);
        // Scope holds in the archive too.
        expect((await desk('state=closed', 'qian')).total).toBe(0);
        expect((await apiFetch(hub, `/api/desk/alerts/${ids.A2}`, {}, 'qian')).status).toBe(403);
        // A closed alert takes no more steps.
        const bulk = (await (await postJson(hub, '/api/desk/alerts/accept', { ids: [ids.A2] }, 'zhao')).json()) as BulkAnswer;
        expect(bulk.results).toEqual([{ id: ids.A2, ok: false, error: 'INVALID_TRANSITION' }]);
        const bulkOut = (await (await postJson(hub, '/api/desk/alerts/accept', { ids: [ids.A2] }, 'qian')).json()) as BulkAnswer;
        expect(bulkOut.results).toEqual([{ id: ids.A2, ok: false, error: 'NOT_FOUND' }]);
        const commentOut = (await (await postJson(hub, '/api/desk/alerts/comment', { ids: [ids.A2, ids.A1, 'a-nope'], note: 'x' }, 'qian')).json()) as BulkAnswer;
        expect(commentOut.results.map((r) => r.error)).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
      });
    });

    describe('CSV export', () => {
      it('writes the filtered list for Excel: BOM, names, ISO and local times, escaped and formula-safe cells', async () => {
        const res = await apiFetch(hub, '/api/desk/alerts.csv?state=all&compound=h1&sort=raisedAt&dir=asc&tz=Asia/Shanghai', {}, 'zhao');
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
        expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="alerts-\d{4}-\d{2}-\d{2}\.csv"$/);
        const bytes = new Uint8Array(await res.arrayBuffer());
        expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
        const text = new TextDecoder().decode(bytes.slice(3));
        const lines = text.split('\r\n');
        expect(lines.at(-1)).toBe('');
        lines.pop();
        const [header, ...rows] = lines;
        expect(header).toBe('告警编号,发生时间 (ISO),发生时间 (本地),级别,告警,小区,楼栋,设备,状态,现状,处理人,接单时间 (本地),处置时间 (本地),关闭时间 (本地),最后备注');
        const page = await desk('state=all&compound=h1&sort=raisedAt&dir=asc', 'zhao');
        expect(rows).toHaveLength(page.total);
        expect(rows.map((r) => r.split(',')[0])).toEqual(idsOf(page));
        const a1 = rows.find((r) => r.startsWith(ids.A1))!;
        const raisedAt = page.rows.find((r) => r.alert.id === ids.A1)!.alert.raisedAt;
        const shanghai = new Date(raisedAt + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
        expect(a1).toContain(`,${new Date(raisedAt).toISOString()},${shanghai},紧急,电梯困人,翠苑一区,1号楼,1号楼 1号电梯,已派发,仍在发生,`);
        // The comment "=1+2" would be a formula: it is kept as text.
        expect(a1.endsWith(`,'=1+2 — 赵敏`)).toBe(true);
        // Quotes and commas are escaped; people by name.
        const a2 = rows.find((r) => r.startsWith(ids.A2))!;
        expect(a2).toContain(',已关闭,');
        expect(a2).toContain(',赵敏,');
        expect(a2.endsWith(',"He said ""done"", ok — 赵敏"')).toBe(true);
        // English on request; a bad time zone is refused.
        const en = await (await apiFetch(hub, '/api/desk/alerts.csv?lang=en&compound=h1', {}, 'zhao')).text();
        expect(en.split('\r\n')[0]).toBe('Alert id,Raised (ISO),Raised (local),Severity,Alert,Compound,Building,Device,State,Condition,Assignee,Accepted (local),Resolved (local),Closed (local),Last note');
        expect((await apiFetch(hub, '/api/desk/alerts.csv?tz=Mars/Olympus', {}, 'zhao')).status).toBe(400);
        // Not cut: how many of how many, and no truncation mark or note line.
        expect(res.headers.get('x-export-rows')).toBe(String(page.total));
        expect(res.headers.get('x-export-total')).toBe(String(page.total));
        expect(res.headers.get('x-export-truncated')).toBeNull();
      });

      it('names the file by the day in the reader\'s time zone, not UTC\'s', async () => {
        const dayIn = (zone: string, at: number) => new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
        const utcDay = (at: number) => new Date(at).toISOString().slice(0, 10);
        // UTC+14 is a day ahead of UTC from 10:00 UTC on, UTC-11 a day behind until 11:00 UTC: at any time one of them differs.
        let differed = 0;
        for (const zone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Asia/Shanghai']) {
          const before = Date.now();
          const res = await apiFetch(hub, `/api/desk/alerts.csv?compound=h1&tz=${encodeURIComponent(zone)}`, {}, 'zhao');
          const after = Date.now();
          expect(res.status).toBe(200);
          await res.arrayBuffer();
          const name = /filename="alerts-(\d{4}-\d{2}-\d{2})\.csv"/.exec(res.headers.get('content-disposition') ?? '')?.[1];
          // The request is answered between `before` and `after` (a day may turn between them).
          expect([dayIn(zone, before), dayIn(zone, after)]).toContain(name);
          if (dayIn(zone, before) !== utcDay(before) && dayIn(zone, after) !== utcDay(after)) {
            expect(name).not.toBe(utcDay(before));
            differed += 1;
          }
        }
        expect(differed).toBeGreaterThanOrEqual(1);
      });
    });
  });
}
