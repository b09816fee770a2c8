/** JSON calls to the hub's API (same origin, session cookie). A 401 sends the user to login. */
import type { ApiErrorBody } from '../../../src/contracts/api.ts';

/** A refused request: the hub's error code (ApiErrorBody), its English message (for logs only) and params. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSec?: number,
    readonly params: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

let onUnauthorized: () => void = () => undefined;
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

export async function api<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: object): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body ? { 'content-type': 'application/json' } : {},
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => ({}))) as Partial<ApiErrorBody> & { retryAfterSec?: number };
  if (!res.ok) {
    if (res.status === 401 && !path.startsWith('/api/auth/login')) onUnauthorized();
    throw new ApiError(res.status, json.error ?? (res.status >= 500 ? 'INTERNAL' : 'ERROR'), json.message ?? res.statusText, json.retryAfterSec, json.params ?? {});
  }
  return json as T;
}
