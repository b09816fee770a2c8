/**
 * The hub's data path on a controlled clock, for integration tests that play simulated devices:
 * ingest and validation (IngestPipeline with its `now`) → rules engine → wireRules (active
 * conditions, offline marking, the correlator's grouping, inhibition and flapping) → the alert
 * book, built the way src/alerts/alerts.stage.ts and src/hub.ts build them (routing checked
 * against the logins, the registry's compound sites for arrival). The clock moves only when told,
 * in ticks like hub.ts's 1 s ticker (rules, correlator, alerts, in that order).
 */
import { pino } from 'pino';
import { HubError } from '../errors.ts';
import { parseRegistry } from '../config/registry.loader.ts';
import type { RegistryFile } from '../config/registry.schema.ts';
import { buildRegistry, type Registry } from '../registry/registry.ts';
import { IngestPipeline, type ReadingSink } from '../ingest/ingest.pipeline.ts';
import { PayloadValidator } from '../validate/payload.validator.ts';
import { DeadLetters } from '../validate/dead-letters.ts';
import { createHubMetrics, type HubMetrics } from '../metrics/hub.metrics.ts';
import { DeviceStates } from '../live/device-state.ts';
import { RulesEngine } from '../rules/rules.engine.ts';
import { loadRulesData } from '../rules/rules.loader.ts';
import type { RulesData } from '../rules/rule.schema.ts';
import { ActiveConditions } from '../rules/active-conditions.ts';
import { wireRules } from '../rules/rules.stage.ts';
import type { Correlator } from '../incidents/correlator.ts';
import { AlertBook, newAlertId } from '../alerts/alert-book.ts';
import { ArrivalPolicy, sitesOf } from '../alerts/arrival.policy.ts';
import { checkRouting } from '../alerts/routing.ts';
import { Silences } from '../alerts/silences.ts';
import { alertsConfigSchema, type AlertsConfig } from '../alerts/sla.config.ts';
import { closedLoopReport, type ClosedLoopReport, type FiguresContext } from '../alerts/closed-loop.figures.ts';
import { messageBody, messageTime, type RunMessage } from '../../simulators/sim.device.ts';
import { peopleOf, routingFor } from './routing.fixture.ts';

export interface ControlledHubOptions {
  registry: RegistryFile;
  /** The ALERTS_FILE's content (routing, SLAs, reminders, call trees), parsed by its schema. */
  alerts: unknown;
  /** The clock at start (ms epoch): the hub starts then. */
  start: number;
  /** Default: the built-in pack. */
  rules?: RulesData;
  /** Clock step between ticks (the hub's ticker runs every second). */
  tickMs?: number;
}

export interface ControlledHub {
  readonly registry: Registry;
  readonly rules: RulesEngine;
  readonly data: RulesData;
  readonly alertsConfig: AlertsConfig;
  readonly alerts: AlertBook;
  readonly correlator: Correlator;
  readonly conditions: ActiveConditions;
  readonly deadLetters: DeadLetters;
  /** The clock now. */
  now(): number;
  /**
   * Moves the clock to `at`, ticking at every tick due on the way (ticks fall every `tickMs` from
   * the start, whatever the messages' times); `act` runs after each tick (a person acting then).
   */
  advanceTo(at: number, act?: (now: number) => void): void;
  /**
   * Plays a simulated run: each message is handed to the pipeline at its time, in time order as a
   * broker delivers them (the offline runner yields a step device by device, each device's step
   * ending with its sample at the step's end).
   */
  play(run: Iterable<RunMessage>, act?: (now: number) => void): void;
  /** The closed-loop figures over the book's events, with the context GET /api/alerts/stats gives them. */
  figures(range: { from: number; to: number; compound?: string }): ClosedLoopReport;
}

/**
 * Ingest and validation as the hub configures them, on the test's clock: accepted readings go to
 * `accept`, rejected ones are counted in the returned dead letters.
 */
export function testPipeline(registry: Registry, accept: ReadingSink['accept'], now: () => number, metrics: HubMetrics = createHubMetrics()): { pipeline: IngestPipeline; deadLetters: DeadLetters } {
  const deadLetters = new DeadLetters(100);
  const pipeline = new IngestPipeline({
    topicRoot: 'compounds',
    registry,
    validator: new PayloadValidator({ maxPayloadBytes: 16_384, retentionMs: 365 * 86_400_000, futureToleranceMs: 300_000 }),
    deadLetters,
    metrics,
    logger: pino({ level: 'silent' }),
    sink: { accept, whenReady: () => undefined },
    now,
  });
  return { pipeline, deadLetters };
}

export async function controlledHub(options: ControlledHubOptions): Promise<ControlledHub> {
  const tickMs = options.tickMs ?? 1000;
  const registry = buildRegistry(parseRegistry(options.registry, 'test registry'));
  const data = options.rules ?? (await loadRulesData(undefined));
  const alertsConfig = alertsConfigSchema.parse(options.alerts);
  // As the alerts stage: a chain that reaches nobody stops the start.
  const problems = checkRouting(alertsConfig, peopleOf(alertsConfig));
  if (problems.length) throw new HubError('ROUTING_INVALID', `test routing reaches nobody:\n${problems.join('\n')}`);
  let now = options.start;
  const rules = new RulesEngine(data.rules, now);
  const sites = sitesOf(registry);
  const alerts = new AlertBook(alertsConfig, rules.rules, routingFor(alertsConfig), newAlertId, sites);
  const conditions = new ActiveConditions();
  const deviceStates = new DeviceStates();
  const metrics = createHubMetrics();
  const logger = pino({ level: 'silent' });
  const { correlator } = wireRules({ rules, data, registry, conditions, deviceStates, alerts, silences: new Silences(), deviceChanged: () => undefined, metrics, logger, now });
  const { pipeline, deadLetters } = testPipeline(
    registry,
    (reading, device) => {
      deviceStates.apply(reading, device.key);
      rules.ingest(reading, device);
    },
    () => now,
    metrics,
  );

  let nextTick = now + tickMs;
  const advanceTo = (at: number, act?: (now: number) => void) => {
    for (; nextTick <= at; nextTick += tickMs) {
      now = nextTick;
      rules.tick(now);
      correlator.tick(now);
      alerts.tick(now);
      act?.(now);
    }
    now = Math.max(now, at);
  };
  const arrival = new ArrivalPolicy(alertsConfig.arrival, rules.rules, sites);
  const context: FiguresContext = {
    arrivalMinutes: (rule, compound) => arrival.minutes(rule, compound),
    streetOf: (compound) => registry.compound(compound)?.street.id,
  };
  return {
    registry,
    rules,
    data,
    alertsConfig,
    alerts,
    correlator,
    conditions,
    deadLetters,
    now: () => now,
    advanceTo,
    play(run, act) {
      // Stable: a device's own messages keep their order (their stamps rise).
      for (const message of [...run].sort((a, b) => messageTime(a) - messageTime(b))) {
        advanceTo(messageTime(message), act);
        pipeline.handle(message.topic, Buffer.from(messageBody(message)));
      }
    },
    figures: (range) => closedLoopReport(alerts.events(), alertsConfig, range, now, context),
  };
}
