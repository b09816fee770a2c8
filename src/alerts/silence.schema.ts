/** A silence as the API returns it and as an earlier version's DATA_DIR/silences.json kept it. */
import { z } from 'zod';
import { DEVICE_TYPES } from '../contracts/device-types.ts';

export const silenceSchema = z.strictObject({
  id: z.string().max(64),
  compound: z.string().optional(),
  deviceKey: z.string().optional(),
  type: z.enum(DEVICE_TYPES).optional(),
  ruleId: z.string().optional(),
  from: z.number(),
  until: z.number(),
  reason: z.string(),
  actor: z.string(),
});
