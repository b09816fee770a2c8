/**
 * Routing and SLA settings (design.md §7): who receives a compound's alerts, how fast a
 * step must happen per severity, and who is next when it does not. Loaded from the
 * ALERTS_FILE (JSON) or defaulted; documented in docs/alerts.md.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { HubError } from '../errors.ts';
import { formatIssues } from '../config/config.loader.ts';
import { ID_PATTERN } from '../contracts/ids.ts';
import { SEVERITIES } from '../rules/rule.schema.ts';
import { ALERT_EVENT_KINDS } from './alert.types.ts';
import { DEVICE_TYPES } from '../contracts/device-types.ts';

/** Kinds of party (docs/parties.md): the property company, the community, the owners' committee, a street department. */
export const PARTY_KINDS = ['property', 'community', 'committee', 'department'] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];

const id = z.string().regex(ID_PATTERN);
const minutes = z.number().positive().max(7 * 24 * 60);

/** Webhook kinds (docs/alerts.md "Channels"): each vendor's group robot, or generic JSON. */
export const WEBHOOK_KINDS = ['generic', 'wecom', 'dingtalk', 'feishu'] as const;
export type WebhookKind = (typeof WEBHOOK_KINDS)[number];

export const webhookSchema = z
  .strictObject({
    id,
    /** `generic` (default): JSON + HMAC header; `wecom`, `dingtalk`, `feishu`: the vendor's robot message, signed as the vendor documents. */
    kind: z.enum(WEBHOOK_KINDS).default('generic'),
    url: z.url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL'),
    /**
     * generic: the shared secret of the HMAC-SHA256 header (required, ≥ 16 characters).
     * dingtalk: the 加签 secret (`SEC…`), feishu: the 签名校验 secret: required when the robot has
     * signing on. wecom: not used (the robot's key is in its URL).
     */
    secret: z.string().min(1).max(512).optional(),
    /** Only these event kinds (default: every step but repeats and incident membership changes). */
    events: z.array(z.enum(ALERT_EVENT_KINDS)).optional(),
    severities: z.array(z.enum(SEVERITIES)).optional(),
    maxAttempts: z.number().int().min(1).max(20).default(6),
    retryBaseMs: z.number().int().min(10).max(60_000).default(1000),
  })
  .superRefine((hook, ctx) => {
    if (hook.kind === 'generic' && (hook.secret ?? '').length < 16) {
      ctx.addIssue({ code: 'custom', path: ['secret'], message: 'a generic webhook needs a secret of at least 16 characters (it signs the X-Compound-Hub-Signature header)' });
    }
    if (hook.kind === 'dingtalk' && hook.secret !== undefined && !hook.secret.startsWith('SEC')) {
      ctx.addIssue({ code: 'custom', path: ['secret'], message: 'the 加签 secret DingTalk shows under the robot\'s security settings starts with SEC' });
    }
  });
export type WebhookConfig = z.output<typeof webhookSchema>;

export const alertsConfigSchema = z.strictObject({
  /** Minutes to accept and to resolve, per severity. */
  sla: z
    .record(z.enum(SEVERITIES), z.strictObject({ acceptMin: minutes, resolveMin: minutes }))
    .default({
      critical: { acceptMin: 5, resolveMin: 30 },
      major: { acceptMin: 15, resolveMin: 240 },
      minor: { acceptMin: 60, resolveMin: 1440 },
      info: { acceptMin: 240, resolveMin: 4320 },
    }),
  /**
   * Reminders: minutes between re-notifications of the assignee while an alert is not accepted,
   * per severity (apart from escalation, which moves the alert on). A severity left out is not
   * reminded.
   */
  remindMin: z.partialRecord(z.enum(SEVERITIES), minutes).default({ critical: 1, major: 5, minor: 20, info: 60 }),
  /**
   * Call trees: when the assignee has not accepted within `ringMin`, the next people in the call
   * order are notified too (`called`), and any of them may accept. `serial`: one more person of
   * the chain (grid workers, then the escalation chain) per ring time; `parallel`: every other
   * worker of the grid at once. A severity left out has no call tree.
   */
  callTree: z
    .partialRecord(z.enum(SEVERITIES), z.strictObject({ ringMin: minutes, mode: z.enum(['serial', 'parallel']).default('serial') }))
    .default({ critical: { ringMin: 2, mode: 'serial' }, major: { ringMin: 5, mode: 'serial' } }),
  /**
   * Arrival on site (到场) for rules that need it (`arrival` in the rule): minutes from dispatch,
   * by the compound's `area` — TSG T5002's rescue arrival times: 30 min in a city with districts,
   * 1 h elsewhere. A rule may set its own.
   */
  arrival: z.strictObject({ cityMin: minutes.default(30), countyMin: minutes.default(60) }).default({ cityMin: 30, countyMin: 60 }),
  /** Grid workers and the compounds of their grid, first = on duty, then backups. */
  grids: z
    .array(
      z.strictObject({
        id,
        compounds: z.array(id).min(1),
        /** In order of call: without shifts the first is on duty and the rest are backups. */
        workers: z.array(id).min(1),
        /** On-duty shifts (local time, see utcOffsetMin); a worker on shift is called first. */
        shifts: z
          .array(
            z.strictObject({
              worker: id,
              from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM'),
              to: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM'),
              /** ISO weekdays 1 (Monday) … 7 (Sunday); default every day. */
              days: z.array(z.number().int().min(1).max(7)).optional(),
            }),
          )
          .default([]),
      }),
    )
    .default([]),
  /** Offset of the compounds' local time from UTC for shifts, in minutes (China: 480). */
  utcOffsetMin: z.number().int().min(-720).max(840).default(480),
  /**
   * Named groups of logins that routing and escalation can name: a community's duty officers,
   * a street's emergency desk. A group entry calls its members in order. A group is also a party
   * of the loop (docs/parties.md): its `kind`, and the compounds it covers (a department covers
   * a street's compounds; none = every compound), for hand-overs.
   */
  groups: z
    .array(
      z.strictObject({
        id,
        name: z.string().min(1).max(100),
        /** The party's name in English (the dashboards show `name` in Chinese). */
        nameEn: z.string().min(1).max(100).optional(),
        kind: z.enum(PARTY_KINDS).default('community'),
        compounds: z.array(id).optional(),
        members: z.array(id).min(1),
      }),
    )
    .default([])
    .superRefine((groups, ctx) => {
      const seen = new Set<string>();
      groups.forEach((g, i) => {
        if (seen.has(g.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `group ${g.id} is defined twice` });
        seen.add(g.id);
      });
    }),
  /**
   * After the grid's workers: who is escalated to next, in order — logins or group ids (the
   * community's duty officer, then the street's emergency desk). Every entry must resolve to
   * people who can act: checked against the logins at start.
   */
  escalation: z.array(id).default([]),
  /**
   * Hand-over (流转) by kind of problem: an alert of these rules (or device types) that is still
   * open and active `afterMin` minutes after it was raised, or that reached escalation step
   * `atEscalation`, goes to the party `to` (a group): its members hold it from then on. Each
   * entry hands an alert over once, and none moves an alert a person handed over by hand.
   */
  handovers: z
    .array(
      z
        .strictObject({
          id,
          rules: z.array(z.string().min(1)).optional(),
          types: z.array(z.enum(DEVICE_TYPES)).optional(),
          afterMin: minutes.optional(),
          atEscalation: z.number().int().min(1).max(20).optional(),
          to: id,
        })
        .refine((h) => h.afterMin !== undefined || h.atEscalation !== undefined, 'set afterMin or atEscalation (when to hand over)')
        .refine((h) => h.rules !== undefined || h.types !== undefined, 'set rules or types (which alerts to hand over)'),
    )
    .default([]),
  /**
   * Evaluation (评价) of closed alerts: within `windowMin` minutes of closing, the compound's
   * manager and (when `committee`) an owners' committee member rate the handling 1–5, once each.
   */
  evaluation: z.strictObject({ windowMin: minutes.default(7 * 24 * 60), committee: z.boolean().default(true) }).default({ windowMin: 7 * 24 * 60, committee: true }),
  /** Longest silence (maintenance window) anyone may set, in minutes. */
  silenceMaxMin: minutes.default(24 * 60),
  webhooks: z.array(webhookSchema).default([]),
  /** A resolved alert whose condition stayed cleared this long closes by itself. */
  autoCloseMin: minutes.default(30),
});

export type AlertsConfig = z.output<typeof alertsConfigSchema>;

export function defaultAlertsConfig(): AlertsConfig {
  return alertsConfigSchema.parse({});
}

/** Reads ALERTS_FILE (routing, SLAs, escalation), or the defaults without one. */
export async function loadAlertsConfig(file: string | undefined): Promise<AlertsConfig> {
  if (!file) return defaultAlertsConfig();
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new HubError('CONFIG_INVALID', `ALERTS_FILE ${file}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = alertsConfigSchema.safeParse(json);
  if (!parsed.success) throw new HubError('CONFIG_INVALID', `ALERTS_FILE ${file}:\n${formatIssues(parsed.error.issues)}`);
  return parsed.data;
}

type Shift = AlertsConfig['grids'][number]['shifts'][number];

function minuteOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** Whether a shift covers a moment (shifts past midnight, e.g. 20:00–08:00, belong to the day they start). */
export function onShift(shift: Shift, at: number, utcOffsetMin: number): boolean {
  const local = new Date(at + utcOffsetMin * 60_000);
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  const weekday = ((local.getUTCDay() + 6) % 7) + 1;
  const from = minuteOfDay(shift.from);
  const to = minuteOfDay(shift.to);
  const days = shift.days;
  if (from <= to) return minute >= from && minute < to && (!days || days.includes(weekday));
  // Overnight: the evening part is on its start day, the morning part on the next day.
  if (minute >= from) return !days || days.includes(weekday);
  const yesterday = weekday === 1 ? 7 : weekday - 1;
  return minute < to && (!days || days.includes(yesterday));
}

/** The grid's call order at a moment: workers on shift, then the other workers as backups. */
export function callOrder(grid: AlertsConfig['grids'][number], at: number, utcOffsetMin: number): string[] {
  const onDuty = grid.shifts.filter((s) => onShift(s, at, utcOffsetMin)).map((s) => s.worker);
  return [...new Set([...onDuty, ...grid.workers])];
}
