/** One command shows the closed loop: the demo fleet plays a trapped passenger and an alert is dispatched. */
import { afterAll, describe, expect, it } from 'vitest';
import type { Hub } from '../src/hub.ts';
import { isHubError } from '../src/errors.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { getJson, loginCookie, startTestHub } from './helpers/test-hub.ts';
import { DEMO_PASSWORD } from '../src/demo/demo.ts';

let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
let hub: Hub | undefined;
afterAll(async () => {
  await hub?.stop();
  await dir?.remove();
});

describe('DEMO_SCENARIO', () => {
  it('trapped-passenger: the demo raises a critical alert dispatched to a grid worker', async () => {
    dir = await tempDir('demo-scenario');
    // The demo's own logins (USERS_FILE unset): its routing names its grid workers and escalation desks.
    hub = await startTestHub({ DATA_DIR: dir.path, DEMO: 'on', DEMO_INTERVAL: '1s', DEMO_SCENARIO: 'trapped-passenger', INFLUX_MANAGED: 'off', USERS_FILE: '' });
    await loginCookie(hub, 'admin', DEMO_PASSWORD);
    await expect
      .poll(async () => (await getJson(hub!, '/api/alerts?severity=critical', 'admin')).alerts.map((a: { ruleId: string; deviceKey: string }) => `${a.ruleId} ${a.deviceKey}`), { timeout: 30_000, interval: 500 })
      .toContain('elevator-trapped c01/elevator/elev-01');
    const [trapped] = (await getJson(hub, '/api/alerts?severity=critical', 'admin')).alerts.filter((a: { ruleId: string }) => a.ruleId === 'elevator-trapped');
    expect(trapped).toMatchObject({ workflow: 'dispatched', assignee: 'wang-fang', name: { zh: '电梯困人' } });
  });

  it('power-cut: the elevators of c01 building b1 report power_loss, then its mains devices go offline while its battery sensors report on', async () => {
    const cutDir = await tempDir('demo-power-cut');
    const cutHub = await startTestHub({ DATA_DIR: cutDir.path, DEMO: 'on', DEMO_INTERVAL: '1s', DEMO_SCENARIO: 'power-cut', INFLUX_MANAGED: 'off', USERS_FILE: '' });
    try {
      await loginCookie(cutHub, 'admin', DEMO_PASSWORD);
      type Device = { type: string; device: string; building?: string; online: boolean; lastSeen?: number };
      const c01 = async () => (await getJson<{ devices: Device[] }>(cutHub, '/api/devices?compound=c01', 'admin')).devices;
      const name = (d: Device) => `${d.type}/${d.device}`;
      // Through the Last Will of each mains-powered device: the fire-lane camera at once, the elevators 10 s later.
      await expect
        .poll(async () => (await c01()).filter((d) => !d.online).map(name).sort(), { timeout: 60_000, interval: 500 })
        .toEqual(['elevator/elev-01', 'elevator/elev-04', 'elevator/elev-07', 'fire_lane/fl-01']);
      expect((await c01()).filter((d) => d.building === 'b1' && !d.online)).toHaveLength(4);
      // What they said before going dark reached the rules: a power loss of each elevator of b1.
      const conditions = (await getJson<{ conditions: Array<{ ruleId: string; device: string }> }>(cutHub, '/api/conditions?compound=c01', 'admin')).conditions;
      expect(conditions.filter((c) => c.ruleId === 'elevator-power-loss').map((c) => c.device).sort()).toEqual(['elev-01', 'elev-04', 'elev-07']);
      // The manhole and parking sensors of b1 run on batteries: they are online and keep reporting.
      const battery = (await c01()).filter((d) => d.building === 'b1' && (d.type === 'manhole' || d.type === 'parking'));
      expect(battery.map(name).sort()).toEqual(['manhole/mh-01', 'manhole/mh-04', 'manhole/mh-07', 'parking/park-01', 'parking/park-04', 'parking/park-07', 'parking/park-10']);
      expect(battery.every((d) => d.online)).toBe(true);
      await expect
        .poll(async () => (await c01()).filter((d) => battery.some((b) => name(b) === name(d) && d.lastSeen! > b.lastSeen!)).length, { timeout: 10_000, interval: 500 })
        .toBe(battery.length);
    } finally {
      await cutHub.stop();
      await cutDir.remove();
    }
  });

  it('an unknown scenario stops the hub with a line naming the setting', async () => {
    const error = await startTestHub({ DATA_DIR: dir!.path, DEMO: 'on', DEMO_SCENARIO: 'alien-invasion', INFLUX_MANAGED: 'off' }).then(() => undefined, (e: unknown) => e);
    expect(isHubError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/^DEMO_SCENARIO: unknown scenario "alien-invasion" \(known: normal, faults, trapped-passenger/);
  });
});
