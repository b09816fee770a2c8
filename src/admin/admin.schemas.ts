/**
 * Request and answer schemas of the admin routes (the shapes of contracts/admin.ts), for
 * fastify's validation, serialization and the OpenAPI document. Bodies refuse unknown fields.
 */
import { z } from 'zod';
import { ROLES } from '../contracts/access.ts';
import { DEVICE_TYPES } from '../contracts/device-types.ts';
import { ID_PATTERN } from '../contracts/ids.ts';
import { PLACE_KINDS } from '../contracts/admin.ts';
import { SEVERITIES } from '../rules/rule.schema.ts';
import { COMPOUND_AREAS } from '../config/registry.schema.ts';
import { contactSchema } from '../auth/contact.schema.ts';

export const idSchema = z.string().regex(ID_PATTERN, 'must match ^[a-z0-9][a-z0-9_-]{0,63}$');
const ids = z.array(idSchema).max(1000);

export const issueSchema = z.object({ path: z.string(), message: z.string() });
export const validationErrorSchema = z.object({ error: z.string(), message: z.string(), issues: z.array(issueSchema) });
export const importErrorsSchema = validationErrorSchema.extend({ rows: z.array(z.object({ row: z.number(), issues: z.array(issueSchema) })) });

export const adminUserSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  role: z.enum(ROLES),
  compounds: z.array(z.string()).optional(),
  grids: z.array(z.string()).optional(),
  contact: z.object({ mobile: z.string().optional(), wecom: z.string().optional(), dingtalk: z.string().optional(), feishu: z.string().optional() }).optional(),
  disabled: z.boolean(),
  mustChangePassword: z.boolean(),
  /** Locked after failed logins until then (epoch ms); absent when not locked. */
  lockedUntil: z.number().optional(),
  /** Failed logins in a row while locked. */
  failedLogins: z.number().optional(),
  /** Two-factor login is on (an admin can reset it: POST /api/admin/users/:id/mfa/reset). */
  mfaEnabled: z.boolean().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export const newUserBodySchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1).max(100).optional(),
  role: z.enum(ROLES),
  compounds: ids.optional(),
  grids: ids.optional(),
  contact: contactSchema.optional(),
});
export const userPatchSchema = z.strictObject({
  name: z.string().min(1).max(100).optional(),
  role: z.enum(ROLES).optional(),
  compounds: ids.optional(),
  grids: ids.optional(),
  contact: contactSchema.nullable().optional(),
  disabled: z.boolean().optional(),
});
export const passwordAnswerSchema = z.object({ password: z.string() });

export const placeViewSchema = z.object({ kind: z.enum(PLACE_KINDS), id: z.string(), name: z.string(), parent: z.string().optional() });
const contactView = z.object({ name: z.string(), phone: z.string().optional(), role: z.string().optional() });
export const compoundViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  community: z.string(),
  grid: z.string().optional(),
  buildings: z.record(z.string(), z.string()).optional(),
  zones: z.record(z.string(), z.string()).optional(),
  contacts: z.array(contactView).optional(),
  area: z.enum(COMPOUND_AREAS),
  location: z.object({ lat: z.number(), lon: z.number() }).optional(),
  deskPhone: z.string().optional(),
  deviceCount: z.number(),
});
export const placesAnswerSchema = z.object({ places: z.array(placeViewSchema), compounds: z.array(compoundViewSchema) });
const tagNames = z.record(z.string(), z.string());
/** Shapes only: the service checks the values with the registry schema. */
export const compoundBodySchema = z.strictObject({
  name: z.string(),
  community: idSchema,
  grid: idSchema.optional(),
  buildings: tagNames.optional(),
  zones: tagNames.optional(),
  area: z.enum(COMPOUND_AREAS).optional(),
  location: z.strictObject({ lat: z.number(), lon: z.number() }).optional(),
  deskPhone: z.string().optional(),
});

export const adminDeviceSchema = z.object({
  compound: z.string(),
  type: z.enum(DEVICE_TYPES),
  id: z.string(),
  key: z.string(),
  name: z.string().optional(),
  building: z.string().optional(),
  zone: z.string().optional(),
  reportIntervalSec: z.number(),
  position: z.object({ x: z.number(), y: z.number() }).optional(),
  retiredAt: z.number().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export const createdDevicesSchema = z.object({ devices: z.array(z.object({ device: adminDeviceSchema, secret: z.string() })) });

export const docAnswerSchema = z.object({ body: z.unknown(), version: z.number(), updatedAt: z.number(), updatedBy: z.string() });
export const rulesTryBodySchema = z.strictObject({
  rules: z.array(z.unknown()).max(500),
  days: z.number().int().min(1).max(14).optional(),
  compound: idSchema.optional(),
});
export const rulesTryAnswerSchema = z.object({
  from: z.number(),
  to: z.number(),
  raised: z.number(),
  byRule: z.record(z.string(), z.number()),
  changes: z.array(
    z.object({
      at: z.number(),
      change: z.enum(['raised', 'cleared']),
      ruleId: z.string(),
      severity: z.enum(SEVERITIES),
      deviceKey: z.string(),
      compound: z.string(),
      value: z.union([z.number(), z.boolean(), z.string()]).optional(),
    }),
  ),
  truncated: z.boolean(),
});

/** ms epoch or an ISO 8601 date. */
export const timeSchema = z.union([z.coerce.number().int().nonnegative(), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))]);
export const auditFilterSchema = z.strictObject({
  from: timeSchema.optional(),
  to: timeSchema.optional(),
  actor: z.string().min(1).max(64).optional(),
  compound: idSchema.optional(),
  action: z.string().regex(/^[a-z][a-z_]{0,63}$/, 'an action like login or device_added').optional(),
  beforeId: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
export const auditEntrySchema = z.object({
  id: z.number(),
  at: z.number(),
  actor: z.string(),
  actorName: z.string().optional(),
  address: z.string().optional(),
  action: z.string(),
  target: z.string().optional(),
  compound: z.string().optional(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  note: z.string().optional(),
});
export const auditAnswerSchema = z.object({ entries: z.array(auditEntrySchema) });
