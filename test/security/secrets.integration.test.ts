/**
 * Secrets never reach the logs: a real hub logs at debug level into a capturing pino
 * destination while users log in (and fail to), change a password and hold session cookies,
 * devices connect with their secrets (and wrong ones), Prometheus reads /metrics with
 * METRICS_TOKEN, InfluxDB is reached with a user and password in INFLUX_URL (and, when it is
 * down, with INFLUX_PASSWORD), and a webhook with a token in its URL and an HMAC secret is
 * refused. None of the secrets appears in the log, in /readyz or in an API answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { Writable } from 'node:stream';
import { writeFile } from 'node:fs/promises';
import { pino } from 'pino';
import mqtt from 'mqtt';
import { loadConfig } from '../../src/config/config.loader.ts';
import { startHub, type Hub } from '../../src/hub.ts';
import { startLocalInfluxd, type LocalInfluxd } from '../../src/store/index.ts';
import { deviceTopic } from '../../src/contracts/topics.ts';
import { TEST_PASSWORD, writeUsersFile } from '../../src/testing/access.fixture.ts';
import type { FleetDevice } from '../../simulators/fleet.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { freePort } from '../helpers/free-port.ts';
import { HUB_TEST_USERS, getJson, writeFleetRegistry } from '../helpers/test-hub.ts';
import { countPerDevice } from '../helpers/influx-counts.ts';
import { connectLive } from '../helpers/live-client.ts';

const INFLUX_USER = 'hub-writer';
const SECRETS = {
  influxUrlPassword: 'influx-url-secret-4711',
  influxEnvPassword: 'influx-env-secret-0815',
  metricsToken: 'metrics-token-secret-0123456789',
  wrongBearer: 'metrics-token-guess-9876543210',
  wrongPassword: 'test-password-2-almost',
  nextPassword: 'li-next-password-secret',
  wrongDeviceSecret: 'device-secret-typo-1234',
  webhookToken: 'robot-access-token-secret',
  webhookSecret: 'webhook-hmac-secret-abcdef',
};

let dir: Awaited<ReturnType<typeof tempDir>>;
let influx: LocalInfluxd;
let devices: FleetDevice[];
let receiver: http.Server;
const robotCalls: string[] = [];
const logs: string[] = [];
const destination = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logs.push(chunk.toString());
    done();
  },
});

/** A hub started as `npm start` would, logging at debug level into `logs`. */
async function startLoggedHub(env: Record<string, string>): Promise<Hub> {
  const config = loadConfig({ USERS_FILE: await writeUsersFile(HUB_TEST_USERS), HTTP_PORT: '0', MQTT_PORT: '0', DEMO: 'off', LOG_LEVEL: 'debug', INFLUX_FLUSH_INTERVAL: '100ms', ...env });
  return startHub(config, pino({ level: 'debug' }, destination));
}

async function login(hub: Hub, username: string, password: string): Promise<{ status: number; cookie?: string; body: string }> {
  const res = await fetch(`${hub.info.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  return { status: res.status, cookie: res.headers.getSetCookie()[0]?.split(';')[0], body: await res.text() };
}

/** Where a secret could hide in a log: as written, URL-encoded, or inside a Basic auth header. */
function forms(secret: string): string[] {
  return [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64').slice(0, 16)];
}

function expectNoSecrets(text: string, secrets: string[], where: string): void {
  for (const secret of secrets) for (const form of forms(secret)) expect(text.includes(form), `${where} holds ${secret}`).toBe(false);
}

beforeAll(async () => {
  dir = await tempDir('secrets');
  influx = await startLocalInfluxd({ dataDir: `${dir.path}/influxdb` });
  const registry = await writeFleetRegistry(dir.path, ['h1']);
  devices = registry.devices;
  // A group-robot endpoint that refuses every delivery: the hub logs the refusal.
  receiver = http.createServer((req, res) => {
    robotCalls.push(`${req.url} ${String(req.headers['x-compound-hub-signature'])}`);
    req.resume();
    res.writeHead(403).end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as { port: number }).port;
  await writeFile(`${dir.path}/alerts.json`, JSON.stringify({
    grids: [{ id: 'g1', compounds: ['h1'], workers: ['wang'] }],
    webhooks: [
      { id: 'robot', url: `http://127.0.0.1:${port}/robot/send?access_token=${SECRETS.webhookToken}`, secret: SECRETS.webhookSecret, maxAttempts: 1, retryBaseMs: 10 },
      { id: 'gone', url: `http://127.0.0.1:${await freePort()}/robot/send?access_token=${SECRETS.webhookToken}`, secret: SECRETS.webhookSecret, maxAttempts: 1, retryBaseMs: 10 },
    ],
  }));
});
afterAll(async () => {
  await new Promise((resolve) => receiver?.close(resolve));
  await influx?.stop();
  await dir?.remove();
});

describe('secrets are never logged', () => {
  it('keeps passwords, session tokens, device secrets, METRICS_TOKEN, InfluxDB credentials and webhook secrets out of a debug log', async () => {
    const hub = await startLoggedHub({
      DATA_DIR: `${dir.path}/data`, REGISTRY_FILE: `${dir.path}/registry.json`, ALERTS_FILE: `${dir.path}/alerts.json`,
      INFLUX_URL: influx.url.replace('http://', `http://${INFLUX_USER}:${SECRETS.influxUrlPassword}@`), INFLUX_DATABASE: 'secrets',
      METRICS_TOKEN: SECRETS.metricsToken,
    });
    const answers: string[] = [];
    let session = '';
    try {
      const root = await login(hub, 'root', TEST_PASSWORD);
      expect(root.status).toBe(200);
      session = root.cookie!.split('=')[1]!;
      expect((await login(hub, 'zhao', SECRETS.wrongPassword)).status).toBe(401);
      const li = await login(hub, 'li', TEST_PASSWORD);
      const change = await fetch(`${hub.info.httpUrl}/api/auth/password`, {
        method: 'POST', headers: { 'content-type': 'application/json', cookie: li.cookie! }, body: JSON.stringify({ current: TEST_PASSWORD, next: SECRETS.nextPassword }),
      });
      expect(change.status).toBe(204);
      expect((await login(hub, 'li', SECRETS.nextPassword)).status).toBe(200);
      const live = await connectLive(hub, null, { cookie: root.cookie! });
      expect((await live.subscribe({ compounds: ['h1'] })).ok).toBe(true);
      live.close();

      const elevator = devices.find((d) => d.type === 'elevator')!;
      await expect(mqtt.connectAsync(hub.info.brokerUrl, { username: elevator.key, clientId: elevator.key, password: SECRETS.wrongDeviceSecret, reconnectPeriod: 0 })).rejects.toThrow(/Bad username or password/i);
      const device = await mqtt.connectAsync(hub.info.brokerUrl, { username: elevator.key, clientId: elevator.key, password: elevator.secret, reconnectPeriod: 0 });
      await device.publishAsync(deviceTopic('compounds', elevator, 'telemetry'), '{"floor":2}', { qos: 1 });
      await device.publishAsync(deviceTopic('compounds', elevator, 'event'), '{"event":"trapped"}', { qos: 1 });
      await device.endAsync();
      const settings = { url: influx.url, api: 'v1' as const, database: 'secrets' };
      await expect.poll(() => countPerDevice(settings, 'elevator', 'floor'), { timeout: 15_000 }).toEqual({ [elevator.device]: 1 });
      const failed = async () => new Set((await getJson(hub, '/api/webhooks/deliveries')).deliveries.filter((d: { status: string }) => d.status === 'failed').map((d: { webhook: string }) => d.webhook));
      await expect.poll(failed, { timeout: 10_000 }).toEqual(new Set(['robot', 'gone']));
      expect(robotCalls.some((call) => call.includes(SECRETS.webhookToken))).toBe(true); // the secrets were in play

      const bearer = (token: string) => fetch(`${hub.info.httpUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect((await bearer(SECRETS.metricsToken)).status).toBe(200);
      expect((await bearer(SECRETS.wrongBearer)).status).toBe(401);
      for (const url of ['/readyz', '/api/webhooks/deliveries', '/api/alerts', '/api/history/latest?type=elevator']) {
        answers.push(await (await fetch(`${hub.info.httpUrl}${url}`, { headers: { cookie: root.cookie! } })).text());
      }
    } finally {
      await hub.stop();
    }
    const log = logs.join('');
    // The paths that handle the secrets did log: the test looks where they would show.
    for (const message of ['"msg":"login"', 'broker refused a client action', 'webhook refused the delivery', 'webhook delivery failed', '"msg":"subscribed"', 'alert raised']) {
      expect(log, message).toContain(message);
    }
    const secrets = [...Object.values(SECRETS).filter((s) => s !== SECRETS.influxEnvPassword), TEST_PASSWORD, session, ...devices.map((d) => d.secret)];
    expectNoSecrets(log, secrets, 'the log');
    expectNoSecrets(answers.join('\n'), secrets, 'an API answer');
  });

  it('keeps INFLUX_PASSWORD out of the log, /readyz and API errors while InfluxDB cannot be reached', async () => {
    logs.length = 0;
    const hub = await startLoggedHub({
      DATA_DIR: `${dir.path}/data-down`, REGISTRY_FILE: `${dir.path}/registry.json`,
      INFLUX_URL: `http://127.0.0.1:${await freePort()}`, INFLUX_USERNAME: INFLUX_USER, INFLUX_PASSWORD: SECRETS.influxEnvPassword,
    });
    const answers: string[] = [];
    try {
      const elevator = devices.find((d) => d.type === 'elevator')!;
      const device = await mqtt.connectAsync(hub.info.brokerUrl, { username: elevator.key, clientId: elevator.key, password: elevator.secret, reconnectPeriod: 0 });
      await device.publishAsync(deviceTopic('compounds', elevator, 'telemetry'), '{"floor":5}', { qos: 1 });
      await device.endAsync();
      await expect.poll(async () => (await getJson(hub, '/readyz')).storage.spoolLines, { timeout: 10_000 }).toBe(1);
      answers.push(JSON.stringify(await getJson(hub, '/readyz')));
      answers.push(JSON.stringify(await getJson(hub, '/api/history/latest?type=elevator')));
    } finally {
      await hub.stop();
    }
    expect(answers.join()).toMatch(/InfluxDB unreachable/);
    const log = logs.join('');
    expect(log).toMatch(/InfluxDB not reachable at start/);
    expectNoSecrets(log, [SECRETS.influxEnvPassword, `${INFLUX_USER}:${SECRETS.influxEnvPassword}`], 'the log');
    expectNoSecrets(answers.join('\n'), [SECRETS.influxEnvPassword, `${INFLUX_USER}:${SECRETS.influxEnvPassword}`], 'an API answer');
  });
});
