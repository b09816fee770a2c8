/**
 * The second day (issue 11, point 1): a hub stopped with SIGTERM and started again, as the README
 * says, with the devices still out there. Stopping raises nothing; alerts taken back at start are
 * judged again from the devices' next messages (a lane that cleared while the hub was down clears,
 * a device that reports again is online); one still happening stays open and clears when it ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import type { FleetDevice } from '../simulators/fleet.ts';
import type { Alert } from '../src/alerts/alert.types.ts';
import { tempDir, sleep } from './helpers/temp-dir.ts';
import { writeFleetRegistry, getJson, loginCookie } from './helpers/test-hub.ts';
import { startHubProcess, type HubProcess } from './helpers/hub-process.ts';
import { publishAs } from './helpers/device-publish.ts';
import { DEMO_PASSWORD } from '../src/demo/demo.ts';

const REPORT_MS = 1000;

/** The fleet reporting every second, each device with the fields `fieldsOf` gives it (undefined: it stays silent). */
function reportLoop(hub: HubProcess, devices: FleetDevice[], fieldsOf: (d: FleetDevice) => object | undefined) {
  let running = true;
  const done = (async () => {
    while (running) {
      const started = Date.now();
      await Promise.all(
        devices.map(async (d) => {
          const fields = fieldsOf(d);
          if (fields) await publishAs(hub.info.brokerUrl, d, 'telemetry', fields).catch(() => undefined); // the hub may be restarting
        }),
      );
      await sleep(Math.max(0, REPORT_MS - (Date.now() - started)));
    }
  })();
  return { stop: async () => ((running = false), await done) };
}

/** GET as the demo's admin (the demo's own logins); a restarted hub process forgets the login, so it logs in again. */
async function demoGet<T>(hub: HubProcess, url: string): Promise<T> {
  await loginCookie(hub, 'admin', DEMO_PASSWORD);
  return getJson<T>(hub, url, 'admin');
}

const openAlerts = async (hub: HubProcess) => (await getJson<{ alerts: Alert[] }>(hub, '/api/alerts?open=true')).alerts;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

describe('a hub restarted on the second day', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let hub: HubProcess | undefined;
  beforeAll(async () => {
    dir = await tempDir('restart');
  });
  afterAll(async () => {
    await hub?.stop();
    await dir?.remove();
  });

  it('with the demo: stopping it raises no alert, and after a restart no device is offline', async () => {
    const data = `${dir.path}/demo`;
    hub = await startHubProcess({ DATA_DIR: data, DEMO: 'on', DEMO_INTERVAL: '1s', INFLUX_MANAGED: 'off', USERS_FILE: '' });
    // USERS_FILE unset: the demo's own logins (admin / compound-demo on loopback).
    const devices = await until('the demo fleet online', async () => {
      const list = (await demoGet<{ devices: Array<{ online: boolean }> }>(hub!, '/api/devices')).devices;
      return list.length > 0 && list.every((d) => d.online) ? list : undefined;
    });
    expect(devices.length).toBeGreaterThan(20);
    expect(await hub.stop()).toMatchObject({ code: 0 });
    await hub.restart();
    // What the stopped hub kept for the next start: no offline alert from its own stopping.
    const kept = (await demoGet<{ alerts: Alert[] }>(hub, '/api/alerts?open=true')).alerts;
    expect(kept.filter((a) => a.ruleId === 'device-offline')).toEqual([]);
    await sleep(3 * REPORT_MS + 2000);
    const open = (await demoGet<{ alerts: Alert[] }>(hub, '/api/alerts?open=true')).alerts;
    expect(open.filter((a) => a.ruleId === 'device-offline')).toEqual([]);
    await hub.stop();
    hub = undefined;
  });

  it('with real devices: alerts taken back are judged again, what still happens stays open and clears when it ends', async () => {
    const data = `${dir.path}/fleet`;
    const { file, devices } = await writeFleetRegistry(dir.path, ['h1', 'h2']);
    const rulesFile = `${dir.path}/rules.json`;
    await writeFile(rulesFile, JSON.stringify({
      rules: [
        { id: 'fire-lane-blocked', name: { zh: '消防通道占用', en: 'Fire lane blocked' }, severity: 'major', match: { types: ['fire_lane'] }, condition: { kind: 'duration', field: 'occupied', op: '==', value: true, forSec: 1 } },
        { id: 'device-offline', name: { zh: '设备离线', en: 'Device offline' }, severity: 'major', match: { types: ['elevator', 'manhole', 'fire_lane', 'parking'] }, condition: { kind: 'absence', factor: 3 } },
      ],
    }));
    const [lane1, lane2] = devices.filter((d) => d.type === 'fire_lane') as [FleetDevice, FleetDevice];
    const quiet = devices.find((d) => d.type === 'manhole')!;
    const blocked = new Set([lane1.key, lane2.key]);
    let silent = true; // `quiet` says nothing until after the restart
    const fieldsOf = (d: FleetDevice) => {
      if (d.key === quiet.key && silent) return undefined;
      if (d.type === 'fire_lane') return blocked.has(d.key) ? { occupied: true, objectType: 'car', confidence: 0.9 } : { occupied: false };
      return d.type === 'manhole' ? { tiltDeg: 1 } : d.type === 'elevator' ? { floor: 1 } : { occupied: false };
    };
    hub = await startHubProcess({ DATA_DIR: data, REGISTRY_FILE: file, RULES_FILE: rulesFile, INFLUX_MANAGED: 'off' });
    const loop = reportLoop(hub, devices, fieldsOf);
    try {
      const before = await until('both lanes blocked and the quiet cover offline', async () => {
        const open = await openAlerts(hub!);
        const lanes = open.filter((a) => a.ruleId === 'fire-lane-blocked' && a.condition === 'active');
        const offline = open.filter((a) => a.ruleId === 'device-offline');
        return lanes.length === 2 && offline.length === 1 && offline[0]!.deviceKey === quiet.key ? open : undefined;
      });
      expect(before).toHaveLength(3);

      await hub.stop();
      // While the hub is down, lane 2 clears and the cover starts reporting.
      blocked.delete(lane2.key);
      silent = false;
      await sleep(1500);
      await hub.restart();
      // Three report intervals later: the same three alerts, not one more, none raised twice.
      await sleep(3 * REPORT_MS + 1500);
      const after = await openAlerts(hub);
      expect(after.map((a) => a.id).sort()).toEqual(before.map((a) => a.id).sort());
      const byDevice = new Map(after.map((a) => [`${a.ruleId} ${a.deviceKey}`, a]));
      expect(byDevice.get(`fire-lane-blocked ${lane1.key}`)).toMatchObject({ condition: 'active' });
      expect(byDevice.get(`fire-lane-blocked ${lane2.key}`)).toMatchObject({ condition: 'cleared' });
      expect(byDevice.get(`device-offline ${quiet.key}`)).toMatchObject({ condition: 'cleared' });
      expect(after.every((a) => a.history.filter((e) => e.kind === 'raised').length === 1)).toBe(true);

      // Lane 1 clears at last: its alert's condition clears too.
      blocked.delete(lane1.key);
      await until('lane 1 cleared', async () => {
        const lane = (await openAlerts(hub!)).find((a) => a.ruleId === 'fire-lane-blocked' && a.deviceKey === lane1.key);
        return lane?.condition === 'cleared' ? lane : undefined;
      });
    } finally {
      await loop.stop();
    }
  });
});
