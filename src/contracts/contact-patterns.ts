/**
 * The shapes of a person's contact fields (contracts/api.ts `Contact`), shared by the server's
 * schema (src/auth/contact.schema.ts) and the dashboards' login form. No dependencies, so the
 * browser bundle can import it.
 */
import type { Contact } from './api.ts';

export const CONTACT_FIELDS = ['mobile', 'wecom', 'dingtalk', 'feishu'] as const satisfies ReadonlyArray<keyof Contact>;
export type ContactField = (typeof CONTACT_FIELDS)[number];

export const CONTACT_PATTERNS: Readonly<Record<ContactField, RegExp>> = {
  /** Mainland mobile: 11 digits starting with 1. */
  mobile: /^1\d{10}$/,
  /** WeCom 成员 UserID: 1–64 letters, digits, `_ - @ .`, starting with a letter or digit. */
  wecom: /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/,
  /** DingTalk userId. */
  dingtalk: /^[A-Za-z0-9_-]{1,64}$/,
  /** Feishu open_id (`ou_…`) or user_id. */
  feishu: /^[A-Za-z0-9_-]{1,64}$/,
};

/** A mobile number as typed (`138 0000-0001`) without its spaces and dashes. */
export const normalizeMobile = (typed: string): string => typed.replace(/[\s-]/g, '');
