/** A rules file drives the hub's conditions, and a reload swaps the rules without a restart. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import mqtt from 'mqtt';
import type { Hub } from '../src/hub.ts';
import { deviceTopic } from '../src/contracts/topics.ts';
import { isHubError } from '../src/errors.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { getJson, startTestHub, writeFleetRegistry } from './helpers/test-hub.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub;
let rulesFile: string;
const rule = (id: string, value: number) => ({
  id, name: { zh: '水位测试', en: 'Test' }, severity: 'minor', match: { types: ['manhole'] },
  condition: { kind: 'threshold', field: 'waterLevelCm', op: '>', value },
});

beforeAll(async () => {
  dir = await tempDir('rules');
  const registry = await writeFleetRegistry(dir.path, ['r1']);
  rulesFile = `${dir.path}/rules.json`;
  await writeFile(rulesFile, JSON.stringify({ rules: [rule('water-over-100', 100)] }));
  hub = await startTestHub({ DATA_DIR: dir.path, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry.file, RULES_FILE: rulesFile });
  const device = registry.devices.find((d) => d.type === 'manhole')!;
  const client = await mqtt.connectAsync(hub.info.brokerUrl, { username: device.key, clientId: device.key, password: device.secret, reconnectPeriod: 0 });
  await client.publishAsync(deviceTopic('compounds', device, 'telemetry'), '{"waterLevelCm":120}', { qos: 1 });
  await client.endAsync();
});
afterAll(async () => {
  await hub?.stop();
  await dir?.remove();
});

const active = async () => (await getJson(hub, '/api/conditions')).conditions.map((c: { ruleId: string }) => c.ruleId);

describe('rules file and reload', () => {
  it('raises conditions from the configured rules only', async () => {
    await expect.poll(active).toEqual(['water-over-100']);
  });

  it('reloads: a removed rule clears, a new one applies to the next reading', async () => {
    await writeFile(rulesFile, JSON.stringify({ rules: [rule('water-over-200', 200)] }));
    expect(await hub.reloadRules()).toBe(1);
    expect(await active()).toEqual([]);
  });

  it('keeps the old rules when the new file is broken', async () => {
    await writeFile(rulesFile, JSON.stringify({ rules: [{ ...rule('bad', 1), condition: { kind: 'threshold', field: 'floor', op: '>', value: 1 } }] }));
    const error = await hub.reloadRules().then(() => undefined, (e: unknown) => e);
    expect(isHubError(error, 'RULES_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/rules\.0\.condition\.field: manhole has no field "floor"/);
  });
});
