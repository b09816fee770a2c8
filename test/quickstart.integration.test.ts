/**
 * The README's quick start, as a new user runs it: the hub's entry point with no
 * settings but free ports starts the embedded broker, a managed influxd and the demo,
 * prints where everything is, stores the demo's readings, and stops cleanly on SIGTERM.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../src/store/index.ts';
import { tempDir } from './helpers/temp-dir.ts';

let child: ChildProcess | undefined;
let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
afterAll(async () => {
  child?.kill('SIGKILL');
  await dir?.remove();
});

describe('quick start (npm start)', () => {
  it('runs the demo on real storage and stops cleanly on SIGTERM', async () => {
    dir = await tempDir('quickstart');
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, DATA_DIR: dir.path, HTTP_PORT: String(httpPort), MQTT_PORT: String(mqttPort), DEMO_INTERVAL: '500ms', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));

    await expect.poll(() => out, { timeout: 30_000 }).toMatch(/Compound Hub is running/);
    expect(out).toContain(`MQTT broker   mqtt://127.0.0.1:${mqttPort}`);
    expect(out).toContain(`Dashboard     http://127.0.0.1:${httpPort}/`);
    expect(out).toMatch(/Storage       local influxd 1\.\d+\.\d+ at http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/Devices       87 registered in 3 compounds/);

    // The admin sees the storage address on /readyz (an anonymous probe does not).
    const admin = await fetch(`http://127.0.0.1:${httpPort}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'compound-demo' }) });
    const cookie = admin.headers.getSetCookie()[0]!.split(';')[0]!;
    const ready = async () => (await (await fetch(`http://127.0.0.1:${httpPort}/readyz`, { headers: { cookie } })).json()) as { devices: { online: number }; storage: { pointsWritten: number; url: string } };
    await expect.poll(async () => (await ready()).devices.online, { timeout: 20_000 }).toBe(87);
    await expect.poll(async () => (await ready()).storage.pointsWritten, { timeout: 20_000 }).toBeGreaterThan(87);
    const influxUrl = (await ready()).storage.url;
    // The dashboards are served, and the printed demo logins work.
    const html = await (await fetch(`http://127.0.0.1:${httpPort}/`)).text();
    expect(html).toMatch(/<html lang="zh-CN">/);
    expect(html).toMatch(/src="\/assets\/[^"]+\.js"/);
    expect(out).toMatch(/Demo logins   password "compound-demo"/);
    expect(out).toMatch(/manager-c01\s+manager/);
    const login = await fetch(`http://127.0.0.1:${httpPort}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'manager-c01', password: 'compound-demo' }),
    });
    expect(login.status).toBe(200);
    expect(((await login.json()) as { user: object }).user).toMatchObject({ role: 'manager', compounds: ['c01'] });

    const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    // The managed influxd was stopped with the hub.
    await expect(fetch(`${influxUrl}/ping`)).rejects.toThrow();
  });
});
