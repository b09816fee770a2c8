/**
 * Before → after of an admin change for the audit log: only the fields that changed, and never
 * a secret (a password hash, a device secret's hash, a webhook secret): those read "(changed)".
 */
import type { AuditActor, AuditRecord } from '../audit/audit.log.ts';

export const CHANGED = '(changed)';
const SECRET_KEYS = new Set(['passwordHash', 'secretSha256', 'secret', 'password']);

type Fields = Record<string, unknown>;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function redact(value: object): Fields {
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, SECRET_KEYS.has(k) ? CHANGED : v]),
  );
}

/** The changed fields of `before` and of `after` (a new thing: all of `after`; a removed one: all of `before`). */
export function changes(before: object | undefined, after: object | undefined): Pick<AuditRecord, 'before' | 'after'> {
  if (!before) return after ? { after: redact(after) } : {};
  if (!after) return { before: redact(before) };
  const b = before as Fields;
  const a = after as Fields;
  const was: Fields = {};
  const now: Fields = {};
  for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (key === 'createdAt' || key === 'updatedAt' || same(b[key], a[key])) continue;
    if (SECRET_KEYS.has(key)) {
      was[key] = CHANGED;
      now[key] = CHANGED;
      continue;
    }
    if (b[key] !== undefined) was[key] = b[key];
    if (a[key] !== undefined) now[key] = a[key];
  }
  return { before: was, after: now };
}

/** Whether `changes` found anything. */
export function changedAnything(diff: Pick<AuditRecord, 'before' | 'after'>): boolean {
  const size = (v: unknown) => (v && typeof v === 'object' ? Object.keys(v).length : 0);
  return size(diff.before) + size(diff.after) > 0;
}

/** An audit record from the actor and the rest. */
export function entry(by: AuditActor, rest: Omit<AuditRecord, 'actor' | 'actorName' | 'address'>): AuditRecord {
  return { actor: by.actor, actorName: by.actorName, address: by.address, ...rest } as AuditRecord;
}
