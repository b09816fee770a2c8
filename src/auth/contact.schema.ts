/**
 * How to reach a person on their phone (contracts/api.ts `Contact`): the mainland mobile number
 * and the ids the WeCom, DingTalk and Feishu group robots @mention. Personal data: only admins
 * read it (the admin users API); `/api/people`, `/api/auth/me` and the sockets never carry it.
 * The values are also written into robot messages, so each id is held to a charset that no
 * channel's markup can be smuggled through.
 */
import { z } from 'zod';
import type { Contact } from '../contracts/api.ts';
import { CONTACT_PATTERNS, normalizeMobile } from '../contracts/contact-patterns.ts';

const mobile = z
  .string()
  .transform(normalizeMobile)
  .pipe(z.string().regex(CONTACT_PATTERNS.mobile, 'a mainland mobile number: 11 digits starting with 1, e.g. 13800000001'));

export const contactSchema = z.strictObject({
  /** Spaces and dashes typed between the digits are dropped. */
  mobile: mobile.optional(),
  wecom: z
    .string()
    .regex(CONTACT_PATTERNS.wecom, 'a WeCom userid (企业微信 成员账号): letters, digits and _ - @ . (at most 64), starting with a letter or digit')
    .optional(),
  dingtalk: z.string().regex(CONTACT_PATTERNS.dingtalk, 'a DingTalk userId (钉钉 员工 UserID): letters, digits, _ and - (at most 64)').optional(),
  feishu: z.string().regex(CONTACT_PATTERNS.feishu, 'a Feishu open_id (ou_…) or user_id: letters, digits, _ and - (at most 64)').optional(),
}) satisfies z.ZodType<Contact, unknown>;

/** A contact with nothing in it is no contact. */
export function contactOrUndefined(contact: Contact | null | undefined): Contact | undefined {
  if (!contact) return undefined;
  const kept = Object.fromEntries(Object.entries(contact).filter(([, v]) => v !== undefined && v !== '')) as Contact;
  return Object.keys(kept).length ? kept : undefined;
}
