/**
 * The users file (USERS_FILE, or DATA_DIR/users.json made at first run): who may log in,
 * with which role and scope. Passwords are stored as scrypt hashes only.
 */
import { z } from 'zod';
import { ID_PATTERN } from '../contracts/ids.ts';
import { ROLES } from '../contracts/access.ts';
import { PASSWORD_HASH_PATTERN } from './password.ts';
import { contactSchema } from './contact.schema.ts';

const id = z.string().regex(ID_PATTERN, 'must match ^[a-z0-9][a-z0-9_-]{0,63}$');

export const userSchema = z
  .strictObject({
    id,
    name: z.string().min(1).max(100).optional(),
    role: z.enum(ROLES),
    /** manager: required; viewer: optional (without it the whole registry). */
    compounds: z.array(id).optional(),
    /** worker: grids (alerts config); a worker listed in a grid's workers is in it anyway. */
    grids: z.array(id).optional(),
    passwordHash: z.string().regex(PASSWORD_HASH_PATTERN, 'must be a scrypt hash (npm run hash-password)'),
    mustChangePassword: z.boolean().default(false),
    /** How robots reach them on their phone (mobile, WeCom / DingTalk / Feishu ids): personal data, admins only. */
    contact: contactSchema.optional(),
  })
  .superRefine((user, ctx) => {
    if (user.role === 'manager' && !user.compounds?.length) {
      ctx.addIssue({ code: 'custom', path: ['compounds'], message: 'a manager needs the compounds they manage' });
    }
  });

export const usersFileSchema = z.strictObject({
  users: z.array(userSchema).superRefine((users, ctx) => {
    const seen = new Set<string>();
    users.forEach((u, i) => {
      if (seen.has(u.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `user ${u.id} is defined twice` });
      seen.add(u.id);
    });
  }),
});

export type User = z.output<typeof userSchema>;
export type UsersFile = z.output<typeof usersFileSchema>;
