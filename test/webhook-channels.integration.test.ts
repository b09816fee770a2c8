/**
 * Notifications that reach a person's phone, on a real hub: a trapped passenger reported through
 * the broker is posted to a WeCom, a DingTalk and a Feishu robot (local receivers that check the
 * vendor's format and verify its signature with the vendor's algorithm, test/helpers/vendor-
 * receivers.ts), each message naming the compound, the device and the person, and @mentioning the
 * grid worker by the contact in the users file. A robot that answers a rate-limit code is tried
 * again; any other code fails the delivery, and the deliveries list says why. A comment cannot
 * forge a heading or a link in any of them.
 */
import { readFile, writeFile } from 'node:fs/promises';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../src/hub.ts';
import type { Delivery } from '../src/dispatch/webhook.dispatcher.ts';
import { deviceTopic } from '../src/contracts/topics.ts';
import { writeUsersFile } from '../src/testing/access.fixture.ts';
import { FORGED_COMMENT, FORGED_MARKUP } from '../src/testing/channels.fixture.ts';
import type { FleetDevice } from '../simulators/fleet.ts';
import { tempDir } from './helpers/temp-dir.ts';
import { getJson, HUB_TEST_USERS, postJson, startTestHub, writeFleetRegistry } from './helpers/test-hub.ts';
import { startVendorReceiver, type VendorReceiver } from './helpers/vendor-receivers.ts';

const DD_SECRET = 'SECb1e2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9';
const FS_SECRET = 'Hx1kzB3ueZmoXrCrrtOWCg';
const WANG = { mobile: '13800000001', wecom: 'WangFang', dingtalk: 'ding-wang', feishu: 'ou_7d8a6e6df7621556ce0d21922b676706' };

let dir: Awaited<ReturnType<typeof tempDir>>;
let hub: Hub | undefined;
let elevator: FleetDevice;
let compoundName: string;
let robots: Record<'wecom' | 'dingtalk' | 'feishu' | 'dingtalkOther' | 'feishuOther', VendorReceiver>;

async function report(event: string, seq: number) {
  const client = await mqtt.connectAsync(hub!.info.brokerUrl, { username: elevator.key, clientId: elevator.key, password: elevator.secret, reconnectPeriod: 0 });
  await client.publishAsync(deviceTopic('compounds', elevator, 'event'), JSON.stringify({ event, seq }), { qos: 1 });
  await client.endAsync();
}

const deliveries = async () => (await getJson<{ deliveries: Delivery[] }>(hub!, '/api/webhooks/deliveries')).deliveries;
const deliveryOf = async (webhook: string, kind: string) => (await deliveries()).find((d) => d.webhook === webhook && d.kind === kind);

/** The text a person reads in each robot's message. */
const textOf = {
  wecom: (body: any): string => body.markdown?.content ?? body.text.content,
  dingtalk: (body: any): string => body.markdown.text,
  feishu: (body: any): string => [body.card.header.title.content, ...body.card.elements.map((e: any) => e.text?.content ?? '')].join('\n'),
};

beforeAll(async () => {
  dir = await tempDir('webhook-channels');
  const registry = await writeFleetRegistry(dir.path, ['h1']);
  elevator = registry.devices.find((d) => d.type === 'elevator')!;
  compoundName = JSON.parse(await readFile(registry.file, 'utf8')).districts[0].streets[0].communities[0].compounds[0].name;
  robots = {
    wecom: await startVendorReceiver('wecom'),
    dingtalk: await startVendorReceiver('dingtalk', { secret: DD_SECRET }),
    feishu: await startVendorReceiver('feishu', { secret: FS_SECRET }),
    // Robots whose signing secret is not the one the hub was given.
    dingtalkOther: await startVendorReceiver('dingtalk', { secret: 'SECffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff' }),
    feishuOther: await startVendorReceiver('feishu', { secret: 'another-secret-entirely' }),
  };
  const fast = { retryBaseMs: 10, maxAttempts: 3 };
  const alertsFile = `${dir.path}/alerts.json`;
  await writeFile(
    alertsFile,
    JSON.stringify({
      grids: [{ id: 'grid-h1', compounds: ['h1'], workers: ['wang', 'li'] }],
      webhooks: [
        { id: 'wx', kind: 'wecom', url: robots.wecom.url, events: ['dispatched', 'commented'], ...fast },
        { id: 'dd', kind: 'dingtalk', url: robots.dingtalk.url, secret: DD_SECRET, events: ['dispatched', 'commented'], ...fast },
        { id: 'fs', kind: 'feishu', url: robots.feishu.url, secret: FS_SECRET, events: ['dispatched', 'commented'], ...fast },
        { id: 'dd-other', kind: 'dingtalk', url: robots.dingtalkOther.url, secret: DD_SECRET, events: ['dispatched'], ...fast },
        { id: 'fs-other', kind: 'feishu', url: robots.feishuOther.url, secret: FS_SECRET, events: ['dispatched'], ...fast },
      ],
    }),
  );
  const users = HUB_TEST_USERS.map((u) => (u.id === 'wang' ? { ...u, name: '王芳', contact: WANG } : u.id === 'li' ? { ...u, name: '李强' } : u));
  hub = await startTestHub({ DATA_DIR: `${dir.path}/data`, INFLUX_MANAGED: 'off', REGISTRY_FILE: registry.file, ALERTS_FILE: alertsFile, USERS_FILE: await writeUsersFile(users) });
});

afterAll(async () => {
  await hub?.stop();
  for (const robot of Object.values(robots ?? {})) await robot.close();
  await dir?.remove();
});

describe('webhook channels: WeCom, DingTalk, Feishu', () => {
  let alertId: string;

  it('posts the dispatched alert to each robot in its format, signed its way, by name, @mentioning the worker', async () => {
    await report('trapped', 1);
    await expect.poll(() => [robots.wecom, robots.dingtalk, robots.feishu].map((r) => r.received.length), { timeout: 10_000 }).toEqual([1, 1, 1]);
    alertId = (await getJson(hub!, '/api/alerts?open=true')).alerts[0].id;

    for (const robot of [robots.wecom, robots.dingtalk, robots.feishu]) {
      const [got] = robot.received;
      expect(got!.problems, robot.vendor).toEqual([]);
      expect(got!.signed, robot.vendor).toBe(true);
      expect(got!.answer, robot.vendor).toMatchObject(robot.vendor === 'feishu' ? { code: 0 } : { errcode: 0 });
      const text = textOf[robot.vendor](got!.body);
      expect(text, robot.vendor).toContain('已派单 Dispatched');
      expect(text, robot.vendor).toContain('紧急 Critical');
      expect(text, robot.vendor).toContain(compoundName);
      expect(text, robot.vendor).toContain(elevator.name);
      expect(text, robot.vendor).toContain('王芳');
      expect(text, robot.vendor).not.toContain(elevator.key);
    }
    expect(textOf.wecom(robots.wecom.received[0]!.body)).toContain('<@WangFang>');
    expect(robots.dingtalk.received[0]!.body.at).toEqual({ atMobiles: [WANG.mobile], atUserIds: [], isAtAll: false });
    expect(textOf.dingtalk(robots.dingtalk.received[0]!.body)).toContain(`@${WANG.mobile}`);
    expect(new URL(robots.dingtalk.received[0]!.url, 'http://x').searchParams.get('timestamp')).toMatch(/^\d{13}$/);
    expect(textOf.feishu(robots.feishu.received[0]!.body)).toContain(`<at id=${WANG.feishu}></at>`);
    expect(robots.feishu.received[0]!.body.timestamp).toMatch(/^\d{10}$/);

    await expect.poll(async () => (await deliveries()).filter((d) => d.kind === 'dispatched').map((d) => `${d.webhook}:${d.status}`).sort()).toEqual([
      'dd-other:failed',
      'dd:delivered',
      'fs-other:failed',
      'fs:delivered',
      'wx:delivered',
    ]);
    // A robot that refuses the signature answers HTTP 200 with its code: a failed delivery, not retried.
    expect(await deliveryOf('dd-other', 'dispatched')).toMatchObject({ attempts: 1, httpStatus: 200, error: 'dingtalk errcode 310000: sign not match' });
    expect(await deliveryOf('fs-other', 'dispatched')).toMatchObject({ attempts: 1, httpStatus: 200, error: expect.stringMatching(/^feishu code 19021: sign match fail/) });
    expect(robots.dingtalkOther.received).toHaveLength(1);
    expect(robots.feishuOther.received).toHaveLength(1);
  });

  it('tries a rate-limited robot again, fails on another code, and no comment forges markup in any of them', async () => {
    robots.wecom.answerOnce({ errcode: 45009, errmsg: 'api freq out of limit' });
    robots.dingtalk.answerOnce({ errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' });
    robots.feishu.answerOnce({ code: 9499, msg: 'Bad Request', data: {} });
    const res = await postJson(hub!, `/api/alerts/${alertId}/comment`, { note: FORGED_COMMENT }, 'root');
    expect(res.status, await res.clone().text()).toBe(200);

    await expect.poll(async () => (await deliveries()).filter((d) => d.kind === 'commented' && d.status !== 'pending').map((d) => `${d.webhook}:${d.status}:${d.attempts}`).sort(), { timeout: 10_000 }).toEqual([
      'dd:delivered:2',
      'fs:failed:1',
      'wx:delivered:2',
    ]);
    expect(await deliveryOf('fs', 'commented')).toMatchObject({ httpStatus: 200, error: 'feishu code 9499: Bad Request' });
    expect(await deliveryOf('wx', 'commented')).not.toHaveProperty('error');
    expect(robots.wecom.received).toHaveLength(3);
    expect(robots.dingtalk.received).toHaveLength(3);
    expect(robots.feishu.received).toHaveLength(2);

    for (const robot of [robots.wecom, robots.dingtalk, robots.feishu]) {
      const got = robot.received.at(-1)!;
      expect(got.problems, robot.vendor).toEqual([]);
      expect(got.signed, robot.vendor).toBe(true);
      const text = textOf[robot.vendor](got.body);
      expect(text, robot.vendor).toContain('新备注 Comment');
      for (const forged of FORGED_MARKUP) expect(text, `${robot.vendor}: ${forged}`).not.toContain(forged);
      expect(text.split('\n').filter((l) => /^\s*#/.test(l)).length, robot.vendor).toBeLessThanOrEqual(1);
      expect(text, robot.vendor).toContain('［点此确认关闭］（https：//evil.example/login）');
    }
    // Each attempt is signed anew, and each one verified: the rate-limited one and its retry.
    expect(robots.dingtalk.received.slice(1).map((r) => r.signed)).toEqual([true, true]);
  });
});
