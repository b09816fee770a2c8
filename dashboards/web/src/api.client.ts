/** JSON calls to the hub's API (same origin, session cookie). A 401 sends the user to login. */
import type { ApiErrorBody } from '../../../src/contracts/api.ts';
import type { Issue } from '../../../src/contracts/admin.ts';

/** A refused request: the hub's error code (ApiErrorBody), its English message (for logs only) and params. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSec?: number,
    readonly params: Record<string, string | number> = {},
    /** What a refused write got wrong, one per `path: message` (a 400 of an admin write). */
    readonly issues: Issue[] = [],
    /** The whole answer, for refusals that carry more (a CSV import's `rows`). */
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

let onUnauthorized: () => void = () => undefined;
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

async function request<T>(method: Method, path: string, body?: { text: string | Blob; type: string }): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body ? { 'content-type': body.type } : {},
    ...(body ? { body: body.text } : {}),
  });
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => ({}))) as Partial<ApiErrorBody> & { retryAfterSec?: number; issues?: unknown };
  if (!res.ok) {
    // A wrong two-factor code (401 MFA_CODE_INVALID, e.g. confirming an enrolment) is not a login that ended.
    if (res.status === 401 && !path.startsWith('/api/auth/login') && json.error !== 'MFA_CODE_INVALID') onUnauthorized();
    const issues = Array.isArray(json.issues) ? (json.issues as Issue[]) : [];
    throw new ApiError(res.status, json.error ?? (res.status >= 500 ? 'INTERNAL' : 'ERROR'), json.message ?? res.statusText, json.retryAfterSec, json.params ?? {}, issues, json);
  }
  return json as T;
}

export function api<T>(method: Method, path: string, body?: object): Promise<T> {
  return request<T>(method, path, body ? { text: JSON.stringify(body), type: 'application/json' } : undefined);
}

/** A CSV document as the request body (`text/csv`), a JSON answer. */
export function apiCsv<T>(path: string, csv: string): Promise<T> {
  return request<T>('POST', path, { text: csv, type: 'text/csv' });
}

/** A file as the request body (its own type, e.g. image/png), a JSON answer. */
export function apiFile<T>(method: Method, path: string, file: Blob): Promise<T> {
  return request<T>(method, path, { text: file, type: file.type || 'application/octet-stream' });
}
