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

import { SEVERITIES, type Severity } from '../contracts/severity.ts';
export { SEVERITIES, type Severity };

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
  /**
   * The workflow needs arrival on site (到场, elevator rescue): the assignee checks in, due this
   * many minutes after dispatch by the compound's area (default: the routing's `arrival`, 30 min
   * in a city, 60 min in a county). `{}` takes the routing's times.
   */
  arrival: z.strictObject({ cityMin: z.number().positive().max(7 * 24 * 60).optional(), countyMin: z.number().positive().max(7 * 24 * 60).optional() }).optional(),
  enabled: z.boolean().default(true),
});
export type Rule = z.output<typeof ruleSchema>;

/** What an incident is counted over: the devices' building tag, zone tag, or their compound. */
export const GROUP_SCOPES = ['building', 'zone', 'compound'] as const;
/** Labels a condition carries for inhibition (`equal`): from the registry. */
export const INHIBIT_LABELS = ['compound', 'building', 'zone', 'type', 'device'] as const;

/** `{place}` and `{count}` are filled in: `{place} {count} 台设备离线 · 疑似停电`. */
const template = z.string().min(1).max(120);

/**
 * Grouping (design.md §6): `min` or more devices of one place raising conditions of `rules`
 * within `windowSec` become ONE incident alert; see docs/alerts.md "Incidents".
 */
export const groupSchema = z.strictObject({
  id,
  name: z.strictObject({ zh: template, en: template }),
  /** The rules whose conditions count as this kind of problem. */
  rules: z.array(id).min(1),
  by: z.enum(GROUP_SCOPES),
  /** Devices needed (distinct devices, not conditions). */
  min: z.number().int().min(2).max(100_000),
  /** And at least this share of the place's devices of the rules' types (tells a whole compound from one building). */
  share: z.number().gt(0).max(1).optional(),
  windowSec: seconds,
  /** How long a matching condition is held back to see whether the group forms; 0 = not held before the group reaches `min` (from then on, until it forms). */
  waitSec: z.number().min(0).max(86_400).default(0),
  /** Once `min` is reached, how long the incident waits before it is raised, so that a group listed before it (a wider one) takes the conditions first; 0 = the next tick. */
  settleSec: z.number().min(0).max(3600).default(0),
  /** The incident's severity; default: the highest of its members' rules. */
  severity: z.enum(SEVERITIES).optional(),
});
export type Group = z.output<typeof groupSchema>;

/** Inhibition as data (Alertmanager's `inhibit_rules`): while a `source` condition is active, `targets` with `equal` labels raise nothing. */
export const inhibitSchema = z.strictObject({
  id,
  /** Rule ids, or group ids (an incident of that group whose condition is active). */
  source: z.array(id).min(1),
  /** Rule ids. */
  targets: z.array(id).min(1),
  /** Labels that must be the same on source and target; a label either side lacks never matches. */
  equal: z.array(z.enum(INHIBIT_LABELS)).min(1).default(['compound']),
});
export type Inhibit = z.output<typeof inhibitSchema>;

/** A (device, rule) condition toggling (raised or cleared) more than `toggles` times within `windowSec` is flapping; stable after `windowSec` without a toggle. */
export const flappingSchema = z.strictObject({ toggles: z.number().int().min(2).max(1000), windowSec: seconds });
export type Flapping = z.output<typeof flappingSchema>;

export const rulesFileSchema = z
  .strictObject({
    rules: z.array(ruleSchema),
    groups: z.array(groupSchema).default([]),
    inhibit: z.array(inhibitSchema).default([]),
    flapping: flappingSchema.optional(),
  })
  .superRefine((file, ctx) => {
    checkCorrelation(file, ctx);
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

/** Groups, inhibition and flapping refer to rules that exist; a rescue (a rule with `arrival`) is never held back. */
function checkCorrelation(file: { rules: Rule[]; groups: Group[]; inhibit: Inhibit[] }, ctx: z.RefinementCtx): void {
  const rules = new Map(file.rules.map((r) => [r.id, r]));
  const groups = new Set<string>();
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const rescue = (ruleId: string) => rules.get(ruleId)?.arrival !== undefined;
  file.groups.forEach((g, i) => {
    if (groups.has(g.id)) issue(['groups', i, 'id'], `duplicate group id "${g.id}"`);
    // An incident alert's rule id is its group id: it must not be taken for a rule's.
    if (rules.has(g.id)) issue(['groups', i, 'id'], `"${g.id}" is a rule id: a group needs an id of its own`);
    groups.add(g.id);
    g.rules.forEach((r, j) => {
      if (!rules.has(r)) issue(['groups', i, 'rules', j], `no rule "${r}"`);
      else if (rescue(r)) issue(['groups', i, 'rules', j], `"${r}" is a rescue (arrival on site): it is never grouped`);
    });
    if (g.waitSec > g.windowSec) issue(['groups', i, 'waitSec'], 'must not be longer than windowSec');
    if (g.settleSec > g.windowSec) issue(['groups', i, 'settleSec'], 'must not be longer than windowSec');
  });
  const inhibits = new Set<string>();
  file.inhibit.forEach((x, i) => {
    if (inhibits.has(x.id)) issue(['inhibit', i, 'id'], `duplicate inhibit id "${x.id}"`);
    inhibits.add(x.id);
    x.source.forEach((s, j) => {
      if (!rules.has(s) && !groups.has(s)) issue(['inhibit', i, 'source', j], `no rule or group "${s}"`);
    });
    x.targets.forEach((t, j) => {
      if (!rules.has(t)) issue(['inhibit', i, 'targets', j], `no rule "${t}"`);
      else if (rescue(t)) issue(['inhibit', i, 'targets', j], `"${t}" is a rescue (arrival on site): it is never inhibited`);
      else if (x.source.includes(t)) issue(['inhibit', i, 'targets', j], `"${t}" would inhibit itself`);
    });
    // Inhibition stays within a compound: one compound's problem never hides another's.
    if (!x.equal.includes('compound')) issue(['inhibit', i, 'equal'], 'must include "compound"');
  });
}

export type { DeviceType };
export type RulesFile = z.input<typeof rulesFileSchema>;
/** A rules file as the hub runs on it: the rules, and the grouping, inhibition and flapping over them. */
export type RulesData = z.output<typeof rulesFileSchema>;
