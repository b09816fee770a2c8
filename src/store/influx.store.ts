/**
 * The store stage: accepted readings → InfluxDB through the client's WriteApi
 * (batching), with nothing lost when InfluxDB is down or slow:
 *   live      lines go to the WriteApi; a batch that fails with a retryable error
 *             (network, timeout, 5xx, 429) is spooled to disk and the store turns to
 *   spooling  new lines go straight to the spool while a replayer probes InfluxDB with
 *             jittered backoff and replays segments oldest first; once the spool is
 *             empty the store is live again.
 * Re-writing a point is idempotent in InfluxDB (same series and time), so a replay may
 * repeat a batch but never skips one. Non-retryable 4xx answers are counted and dropped.
 */
import { HttpError, InfluxDB, type Transport, type WriteApi } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import type { Reading } from '../contracts/readings.ts';
import type { HubMetrics } from '../metrics/hub.metrics.ts';
import { toLine } from './line-protocol.ts';
import { Spool } from './spool.ts';
import { v1WriteTransport } from './v1-write.transport.ts';
import { PRECISION, authHeaders, v2WritePath } from './influx.endpoint.ts';
import type { StoreConfig, StoreState } from './store.types.ts';
import { createDatabase } from './history.query.ts';

export interface StoreDeps {
  logger: Logger;
  metrics: HubMetrics;
}

export interface Store {
  start(): Promise<void>;
  /** Synchronous and cheap; never throws. */
  write(reading: Reading): void;
  /** Writes one ready-made line of line protocol (ms precision), e.g. an alert event. */
  writeLine(line: string): void;
  readonly accepting: boolean;
  /** Resolves once `accepting` is true again. */
  whenAccepting(): Promise<void>;
  state(): StoreState;
  /** Flushes; whatever InfluxDB has not acknowledged by then stays in the spool. */
  close(): Promise<void>;
}

const REPLAY_MIN_DELAY_MS = 500;
const REPLAY_MAX_DELAY_MS = 10_000;
const REQUEST_TIMEOUT_MS = 10_000;

type Failure = 'retry' | 'missing_database' | 'drop';

function classify(error: unknown): Failure {
  if (error instanceof HttpError) {
    if (error.statusCode === 429 || error.statusCode >= 500) return 'retry';
    if (error.statusCode === 404 && /database not found/i.test(error.body ?? error.message)) return 'missing_database';
    return 'drop';
  }
  return 'retry';
}

function describe(error: unknown): string {
  if (error instanceof HttpError) return `HTTP ${error.statusCode}: ${(error.body || error.message).slice(0, 300)}`;
  return (error as Error).message ?? String(error);
}

/** Times every request through a transport into the write-latency histogram. */
function timedTransport(inner: Transport, metrics: HubMetrics): Transport {
  return {
    send(path, body, options, callbacks) {
      const end = metrics.writeLatency.startTimer();
      inner.send(path, body, options, {
        ...callbacks,
        error: (error) => {
          end();
          callbacks?.error?.(error);
        },
        complete: () => {
          end();
          callbacks?.complete?.();
        },
      });
    },
    async request(path, body, options, responseStarted) {
      const end = metrics.writeLatency.startTimer();
      try {
        return await inner.request(path, body, options, responseStarted);
      } finally {
        end();
      }
    },
    iterate: (path, body, options) => inner.iterate(path, body, options),
    get chunkCombiner() {
      return inner.chunkCombiner;
    },
  };
}

export function createStore(deps: StoreDeps, config: StoreConfig): Store {
  const log = deps.logger.child({ stage: 'store' });
  const { metrics } = deps;
  const maxBufferLines = config.maxBufferLines ?? 100_000;
  const spool = new Spool(config.spoolDir, config.spoolMaxBytes, (error) => log.error({ err: error.message }, 'spool write failed'));

  const base = new InfluxDB({ url: config.url, token: config.api === 'v2' ? config.token : undefined, timeout: REQUEST_TIMEOUT_MS });
  const mapped = config.api === 'v1' ? v1WriteTransport(base.transport, config) : base.transport;
  const transport = timedTransport(mapped, metrics);
  const writePath = v2WritePath(config);

  let mode: 'live' | 'spooling' = 'live';
  let connected = false;
  let lastError: string | undefined;
  let inFlight = 0;
  let pointsWritten = 0;
  let running = false;
  let replayLoop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  const waiters: Array<() => void> = [];
  let pollTimer: NodeJS.Timeout | undefined;

  const accepting = () => inFlight < maxBufferLines && !spool.full;
  const notify = () => {
    metrics.spoolBytes.set(spool.bytes);
    metrics.spoolLines.set(spool.lines);
    if (waiters.length && accepting()) {
      clearInterval(pollTimer);
      pollTimer = undefined;
      for (const resolve of waiters.splice(0)) resolve();
    }
  };
  const written = (count: number) => {
    pointsWritten += count;
    metrics.pointsWritten.inc(count);
    connected = true;
    lastError = undefined;
  };
  const toSpool = (lines: string[]) => {
    if (!spool.append(lines)) {
      metrics.pointsDropped.inc({ reason: 'spool_full' }, lines.length);
      log.error({ lines: lines.length, spoolBytes: spool.bytes }, 'spool full: points dropped');
    }
  };
  const startSpooling = (reason: string) => {
    if (mode === 'live') log.warn({ reason }, 'InfluxDB unavailable: spooling to disk until it returns');
    mode = 'spooling';
    connected = false;
    lastError = reason;
    wake?.();
  };
  const ensureDatabase = async () => {
    if (config.api === 'v1' && config.createDatabase) await createDatabase(config);
  };

  const writeApi: WriteApi = new InfluxDB({
    url: config.url,
    token: config.api === 'v2' ? config.token : undefined,
    transport,
    timeout: REQUEST_TIMEOUT_MS,
    writeOptions: {
      batchSize: config.batchSize ?? 5000,
      flushInterval: config.flushIntervalMs ?? 1000,
      maxRetries: 0,
      maxBufferLines,
      writeSuccess(lines) {
        inFlight -= lines.length;
        written(lines.length);
        notify();
      },
      writeFailed(error, lines) {
        inFlight -= lines.length;
        const kind = classify(error);
        if (kind === 'drop') {
          metrics.pointsDropped.inc({ reason: 'rejected_by_influxdb' }, lines.length);
          log.error({ err: describe(error), lines: lines.length }, 'InfluxDB refused a batch; its invalid points are dropped');
          connected = true;
        } else {
          toSpool(lines);
          startSpooling(describe(error));
          if (kind === 'missing_database') void ensureDatabase().catch(() => undefined);
        }
        notify();
        return Promise.resolve();
      },
    },
  }).getWriteApi(config.org ?? '', config.bucket ?? config.database, PRECISION);

  /** Sends one chunk of spooled lines; throws on failure. */
  const send = async (lines: string[]) => {
    await transport.request(writePath, lines.join('\n'), {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8', ...authHeaders(config) },
    });
  };

  const replay = async () => {
    let delay = REPLAY_MIN_DELAY_MS;
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    while (running) {
      if (mode === 'live') {
        await sleep(60_000);
        continue;
      }
      try {
        const segment = await spool.takeOldest();
        if (!segment) {
          if (spool.isEmpty) {
            mode = 'live';
            log.info('spool drained: writing live again');
          } else {
            await sleep(REPLAY_MIN_DELAY_MS); // lines still pending: the disk refused them
          }
          continue;
        }
        const chunk = config.batchSize ?? 5000;
        for (let i = 0; i < segment.lines.length; i += chunk) {
          const lines = segment.lines.slice(i, i + chunk);
          try {
            await send(lines);
          } catch (error) {
            const kind = classify(error);
            if (kind !== 'drop') throw error;
            metrics.pointsDropped.inc({ reason: 'rejected_by_influxdb' }, lines.length);
            log.error({ err: describe(error) }, 'InfluxDB refused spooled points; dropped');
          }
          written(lines.length);
        }
        await spool.remove(segment.id);
        log.info({ points: segment.lines.length, left: spool.lines }, 'replayed spooled points');
        delay = REPLAY_MIN_DELAY_MS;
        notify();
      } catch (error) {
        connected = false;
        lastError = describe(error);
        if (classify(error) === 'missing_database') await ensureDatabase().catch(() => undefined);
        notify();
        await sleep(delay + Math.floor(Math.random() * delay * 0.3));
        delay = Math.min(delay * 2, REPLAY_MAX_DELAY_MS);
      }
    }
  };

  return {
    async start() {
      await spool.open();
      notify();
      try {
        await ensureDatabase();
        connected = true;
      } catch (error) {
        lastError = describe(error);
        log.warn({ err: lastError }, 'InfluxDB not reachable at start: data will wait in the spool');
      }
      if (!spool.isEmpty) {
        log.info({ points: spool.lines }, 'spooled points from an earlier run will be replayed');
        mode = 'spooling';
      }
      running = true;
      replayLoop = replay();
    },

    write(reading) {
      this.writeLine(toLine(reading));
    },

    writeLine(line) {
      if (mode === 'spooling') {
        toSpool([line]);
        return;
      }
      inFlight += 1;
      writeApi.writeRecord(line);
    },

    get accepting() {
      return accepting();
    },

    whenAccepting() {
      if (accepting()) return Promise.resolve();
      // The spool drains on the replayer's schedule: poll while anyone waits.
      pollTimer ??= setInterval(notify, 200);
      return new Promise<void>((resolve) => waiters.push(resolve));
    },

    state() {
      return {
        api: config.api,
        url: config.url,
        connected,
        accepting: accepting(),
        spoolBytes: spool.bytes,
        spoolLines: spool.lines,
        bufferedLines: inFlight,
        pointsWritten,
        ...(lastError || spool.error ? { lastError: spool.error ?? lastError } : {}),
      };
    },

    async close() {
      running = false;
      wake?.();
      clearInterval(pollTimer);
      await writeApi.flush().catch((error: unknown) => log.warn({ err: describe(error) }, 'final flush failed'));
      // flush() starts the last send; batches already on their way finish (or are spooled) too.
      const deadline = Date.now() + REQUEST_TIMEOUT_MS + 2000;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await replayLoop;
      await spool.close();
      await writeApi.close().catch(() => undefined);
      if (!spool.isEmpty) log.warn({ points: spool.lines, dir: config.spoolDir }, 'points left in the spool; replayed on next start');
    },
  };
}
