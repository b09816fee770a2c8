/**
 * The catalogue of coded errors. Every error the hub raises on purpose carries one of
 * these codes, so logs, HTTP answers and tests can tell them apart without parsing text.
 */
export const ERROR_CODES = {
  CONFIG_INVALID: 'configuration is invalid',
  REGISTRY_INVALID: 'device registry is invalid',
  REGISTRY_UNREADABLE: 'device registry file cannot be read',
  RULES_INVALID: 'rules file is invalid',
  PORT_IN_USE: 'a port the hub needs is already in use',
  BROKER_UNREACHABLE: 'the MQTT broker cannot be reached',
  BROKER_REFUSED: 'the MQTT broker and the hub do not accept each other (certificate, host name or credentials)',
  INFLUXD_START_FAILED: 'the local influxd could not be started',
  STORE_UNAVAILABLE: 'storage is not configured',
  QUERY_INVALID: 'the history query is invalid',
  QUERY_FAILED: 'InfluxDB refused or failed the query',
  NOT_FOUND: 'not found',
  INVALID_TRANSITION: 'the alert is not in a state that allows this step',
  BAD_REQUEST: 'the request is incomplete or invalid',
  UNAUTHORIZED: 'log in first, or the login is wrong',
  FORBIDDEN: 'outside the role or scope of the logged-in user',
  RATE_LIMITED: 'too many attempts; wait before trying again',
  PASSWORD_CHANGE_REQUIRED: 'change the one-time password first (POST /api/auth/password)',
  PASSWORD_WEAK: 'the new password does not meet the password policy',
  MFA_CODE_INVALID: 'the two-factor code (or recovery code) is wrong or was used already',
  MFA_LOGIN_EXPIRED: 'the login waiting for its two-factor code is over: log in with the password again',
  MFA_ENROLMENT_REQUIRED: 'set up two-factor login first (POST /api/auth/mfa/start)',
  MFA_REQUIRED: 'the MFA policy requires two-factor login for this role',
  CONDITION_ACTIVE: 'the condition is still active: the alert cannot be closed without a note and force',
  ASSIGNEE_INVALID: 'that person may not act on this alert',
  PARTY_INVALID: 'that party does not exist, does not cover the compound, or has nobody who can act',
  HANDED_OVER_ALREADY: 'the alert is with that party already',
  EVALUATION_CLOSED: 'the time to evaluate this alert is over (or the alert is not closed yet)',
  EVALUATED_ALREADY: 'this party has evaluated the alert already',
  SILENCE_TOO_LONG: 'a silence may not be that long',
  SILENCE_NEEDS_ADMIN: 'silencing a critical rule needs an admin',
  ROUTING_INVALID: 'a routing or escalation entry resolves to nobody',
  CONFLICT: 'it exists already, or someone changed it meanwhile',
  STATE_TOO_NEW: 'the operational database was written by a newer Compound Hub',
  STATE_UNAVAILABLE: 'the operational database cannot be opened or reached',
  STATE_UNSUPPORTED: 'the operational database engine does not do this',
  HOST_NOT_ALLOWED: 'the request names the hub by a host name it does not answer to (HTTP_ALLOWED_HOSTS)',
  CROSS_ORIGIN: 'a change that does not come from the hub\'s own pages',
  PLAN_IMAGE_TYPE: 'a site-plan image must be a PNG or SVG file (without scripts)',
  PLAN_IMAGE_TOO_LARGE: 'the site-plan image is too large',
  PHOTO_TYPE: 'a photo must be a JPEG, PNG or WebP image',
  PHOTO_TOO_LARGE: 'the photo is too large',
  PHOTO_TOO_MANY: 'the alert has as many photos as it may have',
  TOKEN_INVALID: 'the bearer token is missing, unknown or revoked',
  SIGNATURE_INVALID: 'the request is not signed with the shared secret (or its timestamp is too far from now)',
  CURSOR_EXPIRED: 'the cursor is older than the recent window of the feed: start again without one',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class HubError extends Error {
  readonly code: ErrorCode;
  /** Values the dashboards put into their translation of the code (alert id, state, limit, …). */
  readonly params: Record<string, string | number> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; params?: Record<string, string | number> }) {
    super(message, options);
    this.name = 'HubError';
    this.code = code;
    this.params = options?.params;
  }
}

export function isHubError(error: unknown, code?: ErrorCode): error is HubError {
  return error instanceof HubError && (code === undefined || error.code === code);
}
