/**
 * Rules are data (design.md §6): which devices, a condition, a severity and how the
 * condition clears. A rules file is JSON validated by this schema; the built-in
 * default pack (default.pack.ts) is validated by it too.
 */
import { z } from 'zod';
import { DEVICE_TYPES, type DeviceType } from '../contracts/device-types.ts';
import { EVENT_NAMES, fieldSpec } from '../contracts/payloads.ts';
import { ID_PATTERN } from '../contracts/ids.ts';

const id = z.string().regex(ID_PATTERN, 'must match ^[a-z0-9][a-z0-9_-]{0,63}$');
const seconds = z.number().positive().max(366 * 86_400);
const scalar = z.union([z.number(), z.boolean(), z.string().max(64)]);
const op = z.enum(['>', '>=', '<', '<=', '==', '!=']);

export const SEVERITIES = ['critical', 'major', 'minor', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

const comparison = z.strictObject({ field: z.string().min(1).max(64), op, value: scalar });

/** Immediate: raised when the comparison holds, cleared when `clear` holds (hysteresis) or it stops holding. */
const threshold = comparison.extend({
  kind: z.literal('threshold'),
  clear: z.strictObject({ op, value: scalar }).optional(),
  /** Ignore spikes: the comparison must hold this long (e.g. a passing vehicle tilting a cover < 2 s). */
  forSec: seconds.optional(),
});
/** Held: the comparison must hold continuously for `forSec` (fire lane occupied 5 min). */
const duration = comparison.extend({ kind: z.literal('duration'), forSec: seconds });
/** State age: the field has kept one value for `forSec` (a parking space occupied for 7 days). */
const stateAge = comparison.extend({ kind: z.literal('state_age'), forSec: seconds });
/** An event, e.g. elevator `trapped`; clears after `clearAfterSec` without a repeat. */
const event = z.strictObject({ kind: z.literal('event'), event: z.string().min(1).max(64), clearAfterSec: seconds.default(600) });
/** N events within a window (3 door faults in 1 h); clears after `clearAfterSec` quiet. */
const count = z.strictObject({
  kind: z.literal('count'),
  event: z.string().min(1).max(64),
  count: z.number().int().min(2).max(10_000),
  windowSec: seconds,
  clearAfterSec: seconds.default(3600),
});
/** No message for `factor` × the device's report interval (or `forSec`): offline. Clears on the next message. */
const absence = z.strictObject({ kind: z.literal('absence'), factor: z.number().positive().max(1000).default(3), forSec: seconds.optional() });

export const conditionSchema = z.discriminatedUnion('kind', [threshold, duration, stateAge, event, count, absence]);
export type Condition = z.output<typeof conditionSchema>;

export const ruleSchema = z.strictObject({
  id,
  name: z.strictObject({ zh: z.string().min(1).max(100), en: z.string().min(1).max(100) }),
  severity: z.enum(SEVERITIES),
  match: z.strictObject({
    types: z.array(z.enum(DEVICE_TYPES)).min(1),
    compounds: z.array(id).optional(),
    devices: z.array(z.string().max(200)).optional(),
    tags: z.strictObject({ building: z.string().optional(), zone: z.string().optional() }).optional(),
  }),
  condition: conditionSchema,
  /** Preconditions on the device's latest state, e.g. `spaceKind == "fire"`. */
  when: z.array(comparison).optional(),
  /** Device modes (elevator `mode`) in which this rule raises nothing: maintenance silences fault rules. */
  silenceInModes: z.array(z.enum(['normal', 'inspection', 'maintenance', 'fire'])).optional(),
  enabled: z.boolean().default(true),
});
export type Rule = z.output<typeof ruleSchema>;

export const rulesFileSchema = z
  .strictObject({ rules: z.array(ruleSchema) })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.rules.forEach((rule, i) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id "${rule.id}"` });
      seen.add(rule.id);
      const c = rule.condition;
      const fields = [...('field' in c ? [['condition', c.field] as const] : []), ...(rule.when ?? []).map((w, j) => [`when.${j}`, w.field] as const)];
      for (const [where, field] of fields) {
        for (const type of rule.match.types) {
          if (!fieldSpec(type, field)) {
            ctx.addIssue({ code: 'custom', path: ['rules', i, ...where.split('.'), 'field'], message: `${type} has no field "${field}"` });
          }
        }
      }
      if (c.kind === 'event' || c.kind === 'count') {
        for (const type of rule.match.types) {
          if (!(EVENT_NAMES[type] as readonly string[]).includes(c.event)) {
            ctx.addIssue({ code: 'custom', path: ['rules', i, 'condition', 'event'], message: `${type} has no event "${c.event}"` });
          }
        }
      }
    });
  });

export type { DeviceType };
export type RulesFile = z.input<typeof rulesFileSchema>;
