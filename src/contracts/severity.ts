/** Alert severities, most urgent first: shared by the rules, the hub and the dashboards (no zod here, so the dashboards' bundle stays without it). */
export const SEVERITIES = ['critical', 'major', 'minor', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
