/**
 * Device credentials administered while devices are connected: a rotated secret ends the device's
 * live connection and only the new secret connects; a retired device is cut off at once and refused
 * at its next CONNECT; an edit that leaves the secret alone keeps the device connected. Real hub,
 * real MQTT clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import type { Hub } from '../src/hub.ts';
import type { FleetDevice } from '../simulators/fleet.ts';
import { apiFetch, startTestHub, writeFleetRegistry } from './helpers/test-hub.ts';
import { tempDir } from './helpers/temp-dir.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let devices: FleetDevice[];
const clients: MqttClient[] = [];

beforeAll(async () => {
  dir = await tempDir('admin-devices');
  const registry = await writeFleetRegistry(dir.path, ['h1']);
  devices = registry.devices;
  hub = await startTestHub({ DATA_DIR: `${dir.path}/data`, REGISTRY_FILE: registry.file, INFLUX_MANAGED: 'off' });
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await hub?.stop();
  await dir?.remove();
});

/** A device's connection: resolves once connected, with a promise of its close. */
async function connect(key: string, secret: string): Promise<{ client: MqttClient; closed: Promise<void> } | 'refused'> {
  const client = mqtt.connect(hub.info.brokerUrl, { clientId: key, username: key, password: secret, reconnectPeriod: 0, connectTimeout: 5000 });
  clients.push(client);
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  const outcome = await new Promise<'connected' | 'refused'>((resolve) => {
    client.once('connect', () => resolve('connected'));
    client.once('error', () => resolve('refused'));
  });
  return outcome === 'connected' ? { client, closed } : 'refused';
}

const admin = (method: string, url: string, body?: object) => apiFetch(hub, url, { method, ...(body ? { body: JSON.stringify(body) } : {}) }, 'zhao');

describe('device credentials while devices are connected', () => {
  it('a rotated secret ends the live connection; the old secret is refused, the new one connects', async () => {
    const device = devices.find((d) => d.type === 'elevator')!;
    const live = await connect(device.key, device.secret);
    if (live === 'refused') throw new Error('the registered secret was refused');
    let closedAt: number | undefined;
    void live.closed.then(() => (closedAt = Date.now()));

    // An edit that leaves the secret alone keeps the connection.
    const renamed = await admin('PATCH', `/api/admin/devices/${device.key}`, { name: '1号楼 东梯' });
    expect(renamed.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(closedAt).toBeUndefined();
    expect(hub.registry.getByKey(device.key)?.name).toBe('1号楼 东梯');

    const rotated = await admin('POST', `/api/admin/devices/${device.key}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const { secret } = ((await rotated.json()) as { devices: Array<{ secret: string }> }).devices[0]!;
    await live.closed;
    expect(await connect(device.key, device.secret)).toBe('refused');
    const again = await connect(device.key, secret);
    expect(again).not.toBe('refused');
  });

  it('a retired device is cut off at once and refused at its next CONNECT', async () => {
    const device = devices.find((d) => d.type === 'manhole')!;
    const live = await connect(device.key, device.secret);
    if (live === 'refused') throw new Error('the registered secret was refused');
    const retired = await admin('POST', `/api/admin/devices/${device.key}/retire`);
    expect(retired.status).toBe(200);
    await live.closed;
    expect(await connect(device.key, device.secret)).toBe('refused');
    expect(hub.registry.getByKey(device.key)).toBeUndefined();
    // Retiring again changes nothing and says so with 200.
    expect((await admin('POST', `/api/admin/devices/${device.key}/retire`)).status).toBe(200);
  });
});
