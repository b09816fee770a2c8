/**
 * The demo's shared password (`compound-demo`, published in the README) is only for a hub no
 * other machine can reach. A demo data dir started beyond loopback (HTTP_HOST=0.0.0.0 or a LAN
 * address) gives each demo login that still has it a new one-time password, printed once in
 * the start banner, to be changed at the next login; the login's sessions end.
 */
import type { Logger } from 'pino';
import { generatePassword, hashPassword, verifyPassword } from '../auth/password.ts';
import { DEMO_PASSWORD, isDemoLoginId } from '../demo/demo.ts';
import type { StateStore } from './state.types.ts';

export interface RekeyedLogin {
  id: string;
  role: string;
  password: string;
}

/** Re-keys every demo login (disabled ones too) whose password is the demo's; returns them with their new passwords. */
export async function rekeyDemoLogins(state: StateStore, at: number, logger: Logger): Promise<RekeyedLogin[]> {
  const candidates = (await state.users.list()).filter((u) => isDemoLoginId(u.id));
  const checked = await Promise.all(candidates.map(async (user) => ((await verifyPassword(DEMO_PASSWORD, user.passwordHash)) ? user : undefined)));
  const rekeyed: RekeyedLogin[] = [];
  for (const user of checked) {
    if (!user) continue;
    const { createdAt: _c, updatedAt: _u, ...fields } = user;
    const password = generatePassword();
    await state.users.update({ ...fields, passwordHash: await hashPassword(password), mustChangePassword: true }, at);
    rekeyed.push({ id: user.id, role: user.role, password });
    await state.audit.append({ at, actor: 'hub', action: 'password_reset', target: `user:${user.id}`, note: 'demo password replaced by a one-time password: HTTP_HOST is not loopback' });
  }
  if (!rekeyed.length) return rekeyed;
  const ids = new Set(rekeyed.map((r) => r.id));
  const ended = (await state.sessions.list()).filter((s) => ids.has(s.userId)).map((s) => s.id);
  if (ended.length) await state.sessions.remove(ended);
  logger.warn({ logins: [...ids], sessionsEnded: ended.length }, 'HTTP_HOST is not loopback: demo logins with the published demo password were given new one-time passwords (printed in the banner)');
  return rekeyed;
}
