/**
 * The northbound feed on a real hub child process (issue 18): a trapped passenger reported by a
 * real MQTT device reaches
 * - a local HTTP receiver standing in for the city's platform, which checks every POST: the body
 *   parses with the v1 zod schema (src/contracts/northbound.ts) and its signature verifies with
 *   HMAC-SHA256 over `<timestamp>.<body>` computed here on its own; no key or value anywhere holds
 *   the worker's login, the device's id or the comment's note;
 * - an operations client subscribed on the external broker (Mosquitto) to `compounds/_northbound/v1/#`
 *   (QoS 1, not retained);
 * - the pull API: an admin makes a token, the platform pulls the feed with it (the same entries),
 *   the admin revokes it, the next pull is 401 TOKEN_INVALID.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFleet, fleetToRegistry, type FleetDevice } from '../simulators/fleet.ts';
import { feedEntrySchema, feedPageSchema, type FeedEntry } from '../src/contracts/northbound.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { FLEET_KEY, apiFetch, getJson, postJson } from './helpers/test-hub.ts';
import { startHubProcess, type HubProcess } from './helpers/hub-process.ts';
import { startMosquitto, type Mosquitto } from './helpers/mosquitto.ts';
import { publishAs } from './helpers/device-publish.ts';

const SECRET = 'northbound-integration-secret';
const COMMENT_NOTE = '业主张女士 13912345678 在轿厢内';

interface Post {
  body: string;
  entry: FeedEntry | undefined;
  problems: string[];
  signed: boolean;
}

/** The city platform's receiver: checks the schema and the signature of each POST on its own. */
async function startReceiver() {
  const posts: Post[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const timestamp = String(req.headers['x-compound-hub-timestamp'] ?? '');
      const given = Buffer.from(String(req.headers['x-compound-hub-signature'] ?? ''));
      const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex')}`);
      const signed = given.length === expected.length && timingSafeEqual(given, expected) && Math.abs(Date.now() - Number(timestamp)) < 300_000;
      const parsed = feedEntrySchema.safeParse(JSON.parse(body));
      posts.push({ body, signed, entry: parsed.success ? parsed.data : undefined, problems: parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
      res.writeHead(req.headers['content-type'] === 'application/json' ? 204 : 415).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { posts, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/city/feed`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Every key and every primitive value anywhere in `value`. */
function texts(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => texts(v, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(k, ...texts(v));
  else out.push(String(value));
  return out;
}

describe('the northbound feed', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let broker: Mosquitto;
  let hub: HubProcess;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let platform: MqttClient;
  const bridged: Array<{ topic: string; entry: FeedEntry; retain: boolean; qos: number }> = [];
  let lift: FleetDevice;

  beforeAll(async () => {
    dir = await tempDir('northbound');
    receiver = await startReceiver();
    broker = await startMosquitto();
    const devices = buildFleet({ compounds: ['h1', 'h2'], perCompound: { elevator: 1, manhole: 0, fire_lane: 0, parking: 0 }, fleetKey: FLEET_KEY, reportIntervalSec: 3600 });
    lift = devices.find((d) => d.compound === 'h1')!;
    const registry = path.join(dir.path, 'registry.json');
    await writeFile(registry, JSON.stringify(fleetToRegistry(devices)));
    const alertsFile = path.join(dir.path, 'alerts.json');
    await writeFile(alertsFile, JSON.stringify({ grids: [{ id: 'g1', compounds: ['h1', 'h2'], workers: ['wang'] }] }));
    platform = await mqtt.connectAsync(broker.url, { clientId: 'city-platform', reconnectPeriod: 0 });
    platform.on('message', (topic, payload, packet) => bridged.push({ topic, entry: feedEntrySchema.parse(JSON.parse(payload.toString('utf8'))), retain: packet.retain, qos: packet.qos }));
    await platform.subscribeAsync('compounds/_northbound/v1/#', { qos: 1 });
    hub = await startHubProcess({
      DATA_DIR: dir.path,
      INFLUX_MANAGED: 'off',
      MQTT_URL: broker.url,
      MQTT_CLIENT_ID: 'hub-northbound-it',
      REGISTRY_FILE: registry,
      ALERTS_FILE: alertsFile,
      NORTHBOUND_HUB_NAME: 'district-it',
      NORTHBOUND_URL: receiver.url,
      NORTHBOUND_SECRET: SECRET,
      NORTHBOUND_MQTT: 'on',
    });
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    await platform?.endAsync(true);
    await broker?.stop();
    await receiver?.close();
    await dir?.remove();
  });

  it('pushes each step of a trapped-passenger alert, signed and in the v1 schema, with nothing personal', async () => {
    await publishAs(broker.url, lift, 'event', { event: 'trapped' });
    await expect.poll(() => receiver.posts.map((p) => p.entry?.kind === 'alert_event' && p.entry.event.kind), { timeout: 15_000 }).toEqual(['raised', 'dispatched']);
    const alertId = (await getJson(hub, '/api/alerts?open=true')).alerts[0].id as string;
    expect((await postJson(hub, `/api/alerts/${alertId}/accept`, {}, 'wang')).status).toBe(200);
    expect((await postJson(hub, `/api/alerts/${alertId}/comment`, { note: COMMENT_NOTE }, 'wang')).status).toBe(200);
    await expect.poll(() => receiver.posts.length, { timeout: 10_000 }).toBe(4);

    for (const post of receiver.posts) {
      expect(post.problems).toEqual([]);
      expect(post.signed).toBe(true);
      const entry = post.entry!;
      expect(entry).toMatchObject({ v: 1, kind: 'alert_event', source: 'district-it', compound: { id: 'h1' }, alert: { id: alertId, severity: 'critical', type: 'elevator' } });
      for (const text of texts(JSON.parse(post.body))) for (const bad of ['wang', lift.device, lift.key, COMMENT_NOTE, '13912345678', 'note', 'assignee', 'actor']) expect(text).not.toContain(bad);
    }
    const [accepted, commented] = receiver.posts.slice(2).map((p) => p.entry!);
    expect(accepted!.kind === 'alert_event' && accepted!.event).toEqual({ kind: 'accepted', at: expect.any(Number), by: 'person' });
    expect(commented!.kind === 'alert_event' && commented!.event).toEqual({ kind: 'commented', at: expect.any(Number), by: 'person' });
    expect(new Set(receiver.posts.map((p) => p.entry!.id)).size).toBe(4);
  });

  it('publishes the same entries on the broker under _northbound/v1/{compound}/{kind}, QoS 1, not retained', async () => {
    await expect.poll(() => bridged.length, { timeout: 10_000 }).toBe(4);
    expect(bridged.map((b) => b.topic)).toEqual(Array(4).fill('compounds/_northbound/v1/h1/alert_event'));
    expect(bridged.every((b) => !b.retain && b.qos === 1)).toBe(true);
    expect(bridged.map((b) => b.entry)).toEqual(receiver.posts.map((p) => p.entry));
  });

  it('serves the feed to a token an admin made, and refuses it once revoked', async () => {
    const made = await postJson(hub, '/api/admin/northbound/tokens', { name: 'city platform', scope: ['h1'] });
    expect(made.status).toBe(201);
    const { token, secret } = (await made.json()) as { token: { id: string }; secret: string };
    const pull = () => fetch(`${hub.info.httpUrl}/api/northbound/v1/feed?limit=50`, { headers: { authorization: `Bearer ${secret}` } });
    const res = await pull();
    expect(res.status).toBe(200);
    const page = feedPageSchema.parse(await res.json());
    expect(page.entries.map((e) => e.entry)).toEqual(receiver.posts.map((p) => p.entry));

    const revoked = await apiFetch(hub, `/api/admin/northbound/tokens/${token.id}`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    const refused = await pull();
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: 'TOKEN_INVALID' });
    const audit = await getJson(hub, '/api/admin/audit?limit=50');
    expect(JSON.stringify(audit)).toContain('northbound_token_revoked');
    expect(JSON.stringify(audit)).not.toContain(secret);
  });
});
