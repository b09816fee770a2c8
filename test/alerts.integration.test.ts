/**
 * The closed loop on real components: a trapped passenger reported through the broker
 * becomes a dispatched alert, a worker accepts it, the hub restarts and rebuilds it from
 * InfluxDB's alert_events without duplicates, and the worker resolves it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import { sign } from '../src/dispatch/webhook.dispatcher.ts';
import mqtt from 'mqtt';
import { influxQuery, startLocalInfluxd, type LocalInfluxd } from '../src/store/index.ts';
import { deviceTopic } from '../src/contracts/topics.ts';
import type { Hub } from '../src/hub.ts';
import type { FleetDevice } from '../simulators/fleet.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { getJson, postJson, startTestHub, writeFleetRegistry } from './helpers/test-hub.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let influx: LocalInfluxd;
let hub: Hub | undefined;
let env: Record<string, string>;
let elevator: FleetDevice;
let receiver: http.Server;
const hooks: Array<{ signature: string; timestamp: string; body: string }> = [];
const SECRET = 'integration-webhook-secret';

async function report(event: string, seq: number) {
  const client = await mqtt.connectAsync(hub!.info.brokerUrl, { username: elevator.key, clientId: elevator.key, password: elevator.secret, reconnectPeriod: 0 });
  await client.publishAsync(deviceTopic('compounds', elevator, 'event'), JSON.stringify({ event, seq }), { qos: 1 });
  await client.endAsync();
}
/** A workflow step by `user` (workers act on their own alerts; managers close). */
const post = (path: string, body: object, user: string) => postJson(hub!, path, body, user);

beforeAll(async () => {
  dir = await tempDir('alerts');
  influx = await startLocalInfluxd({ dataDir: `${dir.path}/influxdb` });
  const registry = await writeFleetRegistry(dir.path, ['a1']);
  elevator = registry.devices.find((d) => d.type === 'elevator')!;
  const alertsFile = `${dir.path}/alerts.json`;
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hooks.push({ signature: String(req.headers['x-compound-hub-signature']), timestamp: String(req.headers['x-compound-hub-timestamp']), body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/robot`;
  await writeFile(alertsFile, JSON.stringify({
    grids: [{ id: 'grid-01', compounds: ['a1'], workers: ['wang', 'li'] }],
    webhooks: [{ id: 'robot', url: hookUrl, secret: SECRET, severities: ['critical'] }],
  }));
  env = { DATA_DIR: `${dir.path}/data`, INFLUX_URL: influx.url, INFLUX_DATABASE: 'alerts_it', REGISTRY_FILE: registry.file, ALERTS_FILE: alertsFile };
  hub = await startTestHub(env);
});
afterAll(async () => {
  await hub?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
  await influx?.stop();
  await dir?.remove();
});

describe('alert closed loop', () => {
  let alertId: string;

  it('dispatches a trapped passenger to the grid worker on duty', async () => {
    await report('trapped', 1);
    await expect.poll(async () => (await getJson(hub!, '/api/alerts?open=true')).alerts.length).toBe(1);
    const [alert] = (await getJson(hub!, '/api/alerts?assignee=wang')).alerts;
    expect(alert).toMatchObject({ ruleId: 'elevator-trapped', severity: 'critical', workflow: 'dispatched', assignee: 'wang', deviceKey: elevator.key, name: { zh: '电梯困人' } });
    expect(alert.dueAt - alert.raisedAt).toBe(5 * 60_000);
    alertId = alert.id;
    const accepted = await post(`/api/alerts/${alertId}/accept`, {}, 'wang');
    expect(accepted.status).toBe(200);
    // The group robot heard of it, signed.
    await expect.poll(() => hooks.map((h) => JSON.parse(h.body).event.kind)).toEqual(['raised', 'dispatched', 'accepted']);
    for (const h of hooks) expect(h.signature).toBe(sign(SECRET, h.timestamp, h.body));
    expect((await getJson(hub!, '/api/webhooks/deliveries')).deliveries.every((d: { status: string }) => d.status === 'delivered')).toBe(true);
  });

  it('rebuilds the open alert from alert_events after a restart, and a repeat updates it instead of duplicating', async () => {
    await hub!.stop();
    hub = await startTestHub(env);
    const rebuilt = await getJson(hub, `/api/alerts/${alertId}`);
    expect(rebuilt).toMatchObject({ workflow: 'accepted', assignee: 'wang', condition: 'active', dueAt: rebuilt.raisedAt + 30 * 60_000 });
    expect(rebuilt.history.map((e: { kind: string }) => e.kind)).toEqual(['raised', 'dispatched', 'accepted']);
    await report('trapped', 2);
    await expect.poll(async () => (await getJson(hub!, `/api/alerts/${alertId}`)).count).toBe(2);
    expect((await getJson(hub, '/api/alerts')).alerts).toHaveLength(1);
  });

  it('resolves with a note, refuses to resolve twice, and stores every step', async () => {
    expect((await post(`/api/alerts/${alertId}/resolve`, { note: '已救出乘客' }, 'wang')).status).toBe(200);
    const again = await post(`/api/alerts/${alertId}/resolve`, { note: 'x' }, 'wang');
    expect(again.status).toBe(409);
    // The trap's quiet period has not passed: the rule still sees it, so a plain close is refused.
    const refused = await post(`/api/alerts/${alertId}/close`, {}, 'zhao');
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toBe('CONDITION_ACTIVE');
    expect((await post(`/api/alerts/${alertId}/close`, { force: true, note: '乘客已救出，困人信号为门锁故障残留' }, 'zhao')).status).toBe(200);
    // The condition, still active, has a new alert at once.
    const successor = (await getJson(hub!, '/api/alerts?open=true')).alerts;
    expect(successor).toHaveLength(1);
    expect(successor[0]).toMatchObject({ ruleId: 'elevator-trapped', condition: 'active', workflow: 'dispatched', assignee: 'wang' });
    expect(successor[0].id).not.toBe(alertId);
    const settings = { url: influx.url, api: 'v1' as const, database: 'alerts_it' };
    await expect
      .poll(async () => {
        const [r] = await influxQuery(settings, 'SELECT "state", "actor" FROM alert_events WHERE "alertId" = $id ORDER BY time ASC', { id: alertId });
        return (r?.series?.[0]?.values ?? []).map((v) => `${v[1]}:${v[2]}`);
      }, { timeout: 10_000 })
      .toEqual(['raised:hub', 'dispatched:hub', 'accepted:wang', 'repeated:hub', 'resolved:wang', 'closed:zhao']);
    const stats = await getJson(hub!, '/api/alerts/stats');
    // The successor is still within its deadlines: not counted for the SLA yet.
    expect(stats.overall).toMatchObject({ alerts: 2, accepted: 1, resolved: 1, closed: 1, slaCounted: 1, slaMissed: 0, slaKept: 1, openOverdue: 0 });
    expect(Object.keys(stats.byWorker)).toEqual(['wang']);
  });
});
