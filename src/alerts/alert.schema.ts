/** One schema of an alert and its events: what the API returns and what open-alerts.json holds. */
import { z } from 'zod';
import { DEVICE_TYPES } from '../contracts/device-types.ts';
import { SEVERITIES } from '../rules/rule.schema.ts';
import { ALERT_EVENT_KINDS, EVALUATING_PARTIES, WORKFLOW_STATES } from './alert.types.ts';

const position = z.object({ lat: z.number(), lon: z.number(), accuracyM: z.number().optional() });

export const alertEventSchema = z.object({
  alertId: z.string(),
  kind: z.enum(ALERT_EVENT_KINDS),
  at: z.number(),
  actor: z.string(),
  note: z.string().optional(),
  assignee: z.string().optional(),
  position: position.optional(),
  distanceM: z.number().optional(),
  photo: z.string().optional(),
  party: z.string().optional(),
  score: z.number().optional(),
});


export const alertSchema = z.object({
  id: z.string(),
  ruleId: z.string(),
  name: z.object({ zh: z.string(), en: z.string() }),
  severity: z.enum(SEVERITIES),
  deviceKey: z.string(),
  compound: z.string(),
  type: z.enum(DEVICE_TYPES),
  device: z.string(),
  workflow: z.enum(WORKFLOW_STATES),
  condition: z.enum(['active', 'cleared']),
  raisedAt: z.number(),
  lastSeenAt: z.number(),
  count: z.number(),
  value: z.union([z.number(), z.boolean(), z.string()]).optional(),
  field: z.string().optional(),
  clearedAt: z.number().optional(),
  assignee: z.string().optional(),
  escalationLevel: z.number(),
  dueAt: z.number().optional(),
  overdue: z.object({ step: z.enum(['accept', 'arrive', 'resolve']), since: z.number() }).optional(),
  incident: z
    .object({
      group: z.string(),
      scope: z.enum(['building', 'zone', 'compound']),
      place: z.string().optional(),
      members: z.array(
        z.object({
            deviceKey: z.string(),
            type: z.enum(DEVICE_TYPES),
            device: z.string(),
            ruleId: z.string(),
            since: z.number(),
            alertId: z.string().optional(),
            name: z.string().optional(),
            leftAt: z.number().optional(),
          }),
      ),
      peak: z.number(),
    })
    .optional(),
  arrival: z
    .object({ dueAt: z.number(), at: z.number().optional(), by: z.string().optional(), position: position.optional(), distanceM: z.number().optional() })
    .optional(),
  called: z.array(z.string()).optional(),
  escalatedTo: z.array(z.string()).optional(),
  remindedAt: z.number().optional(),
  flapping: z.boolean().optional(),
  parties: z.array(z.string()).optional(),
  // A resident's report, without its receipt's token hash: the serialiser drops what is not listed.
  report: z.object({ id: z.string(), category: z.enum(DEVICE_TYPES), building: z.string(), buildingName: z.string().optional(), text: z.string(), photo: z.string().optional(), spam: z.boolean().optional() }).optional(),
  evaluations: z.array(z.object({ party: z.enum(EVALUATING_PARTIES), score: z.number(), comment: z.string().optional(), by: z.string(), at: z.number() })).optional(),
  history: z.array(alertEventSchema),
});
