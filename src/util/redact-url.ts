/**
 * A URL fit for logs, health and status output: scheme, host and path only. Credentials
 * (`user:password@`) and the query (InfluxDB 1.x accepts `?u=…&p=…`) are left out.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}
