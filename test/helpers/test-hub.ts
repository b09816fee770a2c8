/** Starts the real hub in-process from environment-style settings, as `npm start` would. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.loader.ts';
import { startHub, type Hub } from '../../src/hub.ts';
import { buildFleet, fleetToRegistry, type FleetDevice } from '../../simulators/fleet.ts';
import { TEST_PASSWORD, writeUsersFile } from '../../src/testing/access.fixture.ts';
import type { NewUser } from '../../src/auth/users.store.ts';

export const FLEET_KEY = 'integration-fleet-key';

/** Two compounds of every device type, registered in a registry file under `dir`. */
export async function writeFleetRegistry(dir: string, compounds: string[] = ['h1', 'h2']): Promise<{ file: string; devices: FleetDevice[] }> {
  const devices = buildFleet({ compounds, perCompound: { elevator: 2, manhole: 2, fire_lane: 1, parking: 2 }, fleetKey: FLEET_KEY, reportIntervalSec: 1 });
  const file = path.join(dir, 'registry.json');
  await writeFile(file, JSON.stringify(fleetToRegistry(devices)));
  return { file, devices };
}

/** Logins of test hubs (password TEST_PASSWORD): admin `root`, workers `wang` and `li`, manager `zhao` of the test compounds, manager `qian` of `h2` only. */
export const HUB_TEST_USERS: NewUser[] = [
  { id: 'root', role: 'admin', password: TEST_PASSWORD },
  { id: 'wang', role: 'worker', password: TEST_PASSWORD },
  { id: 'li', role: 'worker', password: TEST_PASSWORD },
  { id: 'zhao', role: 'manager', compounds: ['h1', 'h2', 'a1', 'l1', 'c01', 'c02', 'c03'], password: TEST_PASSWORD },
  { id: 'qian', role: 'manager', compounds: ['h2'], password: TEST_PASSWORD },
];

export async function startTestHub(env: Record<string, string>): Promise<Hub> {
  const config = loadConfig({
    USERS_FILE: await writeUsersFile(HUB_TEST_USERS),
    HTTP_PORT: '0',
    MQTT_PORT: '0',
    DEMO: 'off',
    LOG_LEVEL: 'silent',
    INFLUX_FLUSH_INTERVAL: '100ms',
    ...env,
  });
  return startHub(config, pino({ level: env.LOG_LEVEL ?? 'silent' }));
}

/**
 * The settings of a test hub over the fleet of h1 and h2 (writeFleetRegistry) with a routing of
 * two grids, g1 (h1, worker wang) and g2 (h2, worker li), its data under `dir`; start it (again)
 * with startTestHub(env).
 */
export async function gridHubSettings(dir: string): Promise<{ env: Record<string, string>; devices: FleetDevice[] }> {
  const registry = await writeFleetRegistry(dir, ['h1', 'h2']);
  const alertsFile = path.join(dir, 'alerts.json');
  await writeFile(alertsFile, JSON.stringify({ grids: [{ id: 'g1', compounds: ['h1'], workers: ['wang'] }, { id: 'g2', compounds: ['h2'], workers: ['li'] }] }));
  return { env: { DATA_DIR: path.join(dir, 'data'), INFLUX_MANAGED: 'off', REGISTRY_FILE: registry.file, ALERTS_FILE: alertsFile }, devices: registry.devices };
}

/** What the HTTP helpers need of a hub: an in-process `Hub`, or a hub child process (hub-process.ts). */
export interface HubHandle {
  readonly info: { readonly httpUrl: string };
}

const cookies = new WeakMap<HubHandle, Map<string, string>>();

/** The session cookie of `user` on `hub` (logs in once per hub and user; the demo's logins take DEMO_PASSWORD). */
export async function loginCookie(hub: HubHandle, user = 'root', password = TEST_PASSWORD): Promise<string> {
  const mine = cookies.get(hub) ?? new Map<string, string>();
  cookies.set(hub, mine);
  const known = mine.get(user);
  if (known) return known;
  const res = await fetch(`${hub.info.httpUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user, password }),
  });
  if (res.status !== 200) throw new Error(`login ${user}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
  mine.set(user, cookie);
  return cookie;
}

/** Forgets the sessions of `hub` (a restarted hub process knows none of them). */
export function forgetLogins(hub: HubHandle): void {
  cookies.delete(hub);
}

/** fetch() on the hub's HTTP API as a logged-in user (default: the admin). */
export async function apiFetch(hub: HubHandle, url: string, init: RequestInit = {}, user = 'root'): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('cookie', await loginCookie(hub, user));
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  return fetch(`${hub.info.httpUrl}${url}`, { ...init, headers });
}

export async function getJson<T = any>(hub: HubHandle, url: string, user = 'root'): Promise<T> {
  return (await (await apiFetch(hub, url, {}, user)).json()) as T;
}

export function postJson(hub: HubHandle, url: string, body: object, user = 'root'): Promise<Response> {
  return apiFetch(hub, url, { method: 'POST', body: JSON.stringify(body) }, user);
}
