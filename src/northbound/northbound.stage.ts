/**
 * Assembly of the northbound feed (issue 18, docs/northbound.md): alert events (but repeats) become
 * feed entries, and so does a figures snapshot every NORTHBOUND_FIGURES_INTERVAL; every entry goes
 * into the recent window the pull API reads, to the signed push (NORTHBOUND_URL) and to the MQTT
 * bridge (NORTHBOUND_MQTT=on). The routes (pull, admin tokens, and ingest from lower hubs with
 * NORTHBOUND_INGEST_SECRET) are handed to the HTTP server by hub.ts.
 */
import type { Logger } from 'pino';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { NorthboundSettings } from '../config/config.loader.ts';
import type { AlertBook } from '../alerts/alert-book.ts';
import type { StoredAlertEvent } from '../alerts/alert.types.ts';
import type { AlertsConfig } from '../alerts/sla.config.ts';
import type { Rule } from '../rules/rule.schema.ts';
import type { Registry } from '../registry/registry.ts';
import type { MqttPublish } from '../dispatch/mqtt-alert.publisher.ts';
import type { NorthboundTokensRepo } from '../state/state.types.ts';
import type { AuditLog } from '../audit/audit.log.ts';
import type { HubMetrics } from '../metrics/hub.metrics.ts';
import type { FiguresEntry } from '../contracts/northbound.ts';
import { closedLoopReport } from '../alerts/closed-loop.figures.ts';
import { ArrivalPolicy, sitesOf } from '../alerts/arrival.policy.ts';
import { alertEventEntry, figuresEntry, isFed, type PlaceNames } from './feed-entry.builder.ts';
import { FeedRing } from './feed.ring.ts';
import { NorthboundFeed, type FeedSink } from './northbound.feed.ts';
import { webhookPush } from './webhook.push.ts';
import { mqttBridge } from './mqtt.bridge.ts';
import { FeedTokens } from './feed-tokens.ts';
import { TokenBuckets } from './token-bucket.ts';
import { northboundRoutes } from './northbound.routes.ts';

/** The period a figures snapshot covers: alerts raised in the last 24 hours. */
export const FIGURES_WINDOW_MS = 24 * 3_600_000;

export interface NorthboundDeps {
  settings: NorthboundSettings;
  topicRoot: string;
  alerts: AlertBook;
  registry: Registry;
  alertsConfig: AlertsConfig;
  rules: () => readonly Rule[];
  /** Alert events of the last `days` days (the event log, or memory when live-only). */
  alertEvents: (days: number) => Promise<StoredAlertEvent[]>;
  /** The hub's broker connection. */
  publish: MqttPublish;
  tokens: NorthboundTokensRepo;
  audit?: AuditLog;
  metrics: HubMetrics;
  logger: Logger;
  now?: () => number;
}

export interface NorthboundStage {
  readonly feed: NorthboundFeed;
  /** For the HTTP server (ApiDeps.northbound). */
  readonly routes: FastifyPluginAsyncZod;
  stop(): Promise<void>;
}

export function createNorthboundStage(deps: NorthboundDeps): NorthboundStage {
  const { settings, metrics } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ stage: 'northbound' });
  const sinks: FeedSink[] = [];
  const push = settings.push && webhookPush(settings.push, { metrics, logger: log, now });
  if (push) sinks.push(push.push);
  if (settings.mqtt) {
    sinks.push(
      mqttBridge(deps.topicRoot, deps.publish, (error) => {
        metrics.northboundDropped.inc({ reason: 'mqtt_failed' });
        log.warn({ err: error.message }, 'feed entry not published on MQTT');
      }),
    );
  }
  const feed = new NorthboundFeed({ ring: new FeedRing(settings.feedSize), sinks, metrics });
  const places: PlaceNames = { compound: (id) => deps.registry.compound(id) };
  const source = settings.hubName;

  deps.alerts.onEvent((event, alert) => {
    if (!isFed(event)) return;
    feed.add(alertEventEntry(event, alert, { source, places }), 'own');
  });

  const figures = async (): Promise<FiguresEntry> => {
    const at = now();
    const from = at - FIGURES_WINDOW_MS;
    const events = await deps.alertEvents(Math.ceil(FIGURES_WINDOW_MS / 86_400_000) + 1);
    const arrival = new ArrivalPolicy(deps.alertsConfig.arrival, deps.rules(), sitesOf(deps.registry));
    const report = closedLoopReport(events, deps.alertsConfig, { from, to: at }, at, {
      arrivalMinutes: (rule, compound) => arrival.minutes(rule, compound),
      streetOf: (compound) => deps.registry.compound(compound)?.street.id,
    });
    return figuresEntry(report, { source, at });
  };
  const timer =
    settings.figuresIntervalMs !== undefined
      ? setInterval(() => {
          figures().then(
            (entry) => feed.add(entry, 'own'),
            (error: unknown) => log.warn({ err: (error as Error).message }, 'figures snapshot not made'),
          );
        }, settings.figuresIntervalMs)
      : undefined;
  timer?.unref();

  const routes = northboundRoutes({
    feed,
    tokens: new FeedTokens(deps.tokens),
    buckets: new TokenBuckets(settings.pullRatePerMinute),
    figures,
    hubName: source,
    ingestSecret: settings.ingestSecret,
    compoundExists: (id) => deps.registry.compound(id) !== undefined,
    audit: deps.audit,
    metrics,
    now,
  });
  log.info({ source, push: settings.push ? new URL(settings.push.url).origin : 'off', mqtt: settings.mqtt, ingest: Boolean(settings.ingestSecret), window: settings.feedSize }, 'northbound feed ready');

  return {
    feed,
    routes,
    stop: async () => {
      if (timer) clearInterval(timer);
      push?.stop();
    },
  };
}
