/** Counters as Prometheus reads them: the hub's `/metrics` text over HTTP, as the admin. */
import type { Hub } from '../../src/hub.ts';
import { apiFetch } from './test-hub.ts';

/** Every sample of the exposition text, as `name{label="value",…}` → value. */
function samples(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const out: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    out.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return out;
}

/** The sum of a metric's samples whose labels include `labels` (0 when there is no such sample yet). */
export async function metricValue(hub: Hub, name: string, labels: Record<string, string> = {}): Promise<number> {
  const res = await apiFetch(hub, '/metrics');
  if (res.status !== 200) throw new Error(`/metrics: ${res.status}`);
  const found = samples(await res.text()).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found.reduce((sum, s) => sum + s.value, 0);
}

/** Broker refusals counted under one action (and reason, if given). */
export const brokerRefused = (hub: Hub, action: string, reason?: string) =>
  metricValue(hub, 'compound_hub_broker_refused_total', { action, ...(reason !== undefined ? { reason } : {}) });

/** Messages rejected at ingest for one reason. */
export const rejected = (hub: Hub, reason: string) => metricValue(hub, 'compound_hub_messages_rejected_total', { reason });
