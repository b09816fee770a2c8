/**
 * The HTTP API for route tests (fastify inject): what a test names, over quiet defaults for the
 * rest of the hub (no device states, no dead letters or conditions, no silences, a connected
 * embedded broker, live-only storage, a silent logger).
 */
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildHttpServer } from '../api/http.server.ts';
import type { ApiDeps, StorageStatus } from '../api/api.types.ts';
import { DeviceStates } from '../live/device-state.ts';
import { DeadLetters } from '../validate/dead-letters.ts';
import { ActiveConditions } from '../rules/active-conditions.ts';
import { Silences } from '../alerts/silences.ts';
import { createHubMetrics } from '../metrics/hub.metrics.ts';

export const LIVE_ONLY: StorageStatus = { mode: 'live-only', connected: false, accepting: true, spoolBytes: 0, spoolLines: 0, bufferedLines: 0, pointsWritten: 0 };

export function testHttpServer(deps: Pick<ApiDeps, 'access' | 'registry' | 'alerts' | 'alertsConfig' | 'routing'> & Partial<ApiDeps>): Promise<FastifyInstance> {
  return buildHttpServer({
    deviceStates: new DeviceStates(),
    deadLetters: new DeadLetters(5),
    conditions: new ActiveConditions(),
    silences: new Silences(),
    rules: () => [],
    alertEvents: async () => deps.alerts.events(),
    webhookDeliveries: () => [],
    metrics: createHubMetrics(),
    logger: pino({ level: 'silent' }),
    brokerStatus: () => ({ kind: 'embedded', url: 'mqtt://127.0.0.1:1883', connected: true }),
    storageStatus: () => LIVE_ONLY,
    ...deps,
  });
}
