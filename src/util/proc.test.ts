import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { isAlive, listenerOf, processArgs, processCwd, processEnv, processStartTicks, processStartedAt, waitForExit } from './proc.ts';

const children: ChildProcess[] = [];
const servers: Server[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of servers.splice(0)) s.close();
});

function sleeper(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', 'marker-arg'], { stdio: 'ignore', env: { ...process.env, PROC_TEST_VAR: 'seen' } });
  children.push(child);
  return child;
}

describe('/proc', () => {
  it('reads a process: arguments, working directory, environment, start time', () => {
    const child = sleeper();
    const pid = child.pid!;
    expect(isAlive(pid)).toBe(true);
    expect(processArgs(pid)).toEqual([process.execPath, '-e', 'setTimeout(() => {}, 60_000)', 'marker-arg']);
    expect(processCwd(pid)).toBe(process.cwd());
    expect(processEnv(pid, 'PROC_TEST_VAR')).toBe('seen');
    expect(processStartTicks(pid)).toBeGreaterThanOrEqual(processStartTicks(process.pid)!);
    const startedAt = processStartedAt(pid)!;
    expect(Math.abs(startedAt - Date.now())).toBeLessThan(60_000);
  });

  it('says so when there is no such process, and sees one exit (even before it is reaped)', async () => {
    const child = sleeper();
    const pid = child.pid!;
    process.kill(pid, 'SIGKILL');
    expect(await waitForExit(pid, 10_000)).toBe(true);
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    expect(isAlive(pid)).toBe(false);
    expect(processArgs(pid)).toBeUndefined();
    expect(processStartTicks(pid)).toBeUndefined();
    expect(isAlive(0)).toBe(false);
  });

  it('waitForExit answers false when the process outlives the wait', async () => {
    const child = sleeper();
    expect(await waitForExit(child.pid!, 100)).toBe(false);
  });

  it('finds the process listening on a TCP port', async () => {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    expect(listenerOf(port)).toBe(process.pid);
    server.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(listenerOf(port)).toBeUndefined();
  });
});
