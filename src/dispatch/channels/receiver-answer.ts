/**
 * Reading a receiver's answer. By HTTP status first: 2xx may be delivered, a timeout-like 408,
 * 429 or 5xx is worth retrying, any other 4xx refuses this body for good. The vendors' robots
 * answer HTTP 200 with a code in the JSON body (`errcode` / `code` ≠ 0 is a failure); their
 * rate-limit codes are retried like a 429.
 */
import type { ChannelOutcome } from './channel.types.ts';

/** The outcome the HTTP status alone decides, or undefined for a 2xx (the body may still say otherwise). */
export function statusOutcome(status: number): ChannelOutcome | undefined {
  if (status >= 200 && status < 300) return undefined;
  return { delivered: false, error: `HTTP ${status}`, retry: status >= 500 || status === 408 || status === 429 };
}

export interface VendorAnswer {
  /** `wecom`, `dingtalk`, `feishu`: named in the error. */
  vendor: string;
  /** The code fields of the answer, first present wins (`errcode`; `code`, then the legacy `StatusCode`). */
  codeFields: readonly string[];
  messageFields: readonly string[];
  /** Codes that mean "too many messages now": retried with backoff. */
  retryCodes: ReadonlySet<number>;
}

/** A vendor robot's answer: delivered only on a 2xx whose body carries code 0. */
export function vendorOutcome(answer: VendorAnswer, status: number, body: string): ChannelOutcome {
  const byStatus = statusOutcome(status);
  if (byStatus) return byStatus;
  let json: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(body.slice(0, 65_536));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  const codeField = json && answer.codeFields.find((f) => typeof json[f] === 'number');
  if (!json || !codeField) return { delivered: false, error: `${answer.vendor}: the answer carries no ${answer.codeFields[0]} (HTTP ${status})`, retry: false };
  const code = json[codeField] as number;
  if (code === 0) return { delivered: true };
  const messageField = answer.messageFields.find((f) => typeof json[f] === 'string');
  const message = messageField ? String(json[messageField]).slice(0, 200) : '';
  return { delivered: false, error: `${answer.vendor} ${codeField} ${code}${message ? `: ${message}` : ''}`, retry: answer.retryCodes.has(code) };
}
