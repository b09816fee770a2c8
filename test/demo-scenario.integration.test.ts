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

  it('an unknown scenario stops the hub with a line naming the setting', async () => {
    const error = await startTestHub({ DATA_DIR: dir!.path, DEMO: 'on', DEMO_SCENARIO: 'alien-invasion', INFLUX_MANAGED: 'off' }).then(() => undefined, (e: unknown) => e);
    expect(isHubError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/^DEMO_SCENARIO: unknown scenario "alien-invasion" \(known: normal, faults, trapped-passenger/);
  });
});
