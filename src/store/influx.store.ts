/**
 * The store stage: accepted readings → InfluxDB through the client's WriteApi
 * (batching), with nothing lost when InfluxDB is down or slow:
 *   live      lines go to the WriteApi; a batch that fails with a retryable error
 *             (network, timeout, 5xx, 429, 408, 401/403, 404) is spooled to disk, and
 *             the store turns to
 *   spooling  new lines go straight to the spool while a replayer probes InfluxDB
 *             (/ping, jittered backoff) and replays segments oldest first, deleting a
 *             segment only once InfluxDB acknowledged all of it; once the spool is
 *             empty the store is live again.
 * Lines are at ns precision: a reading's ms time plus a per-device tie-break (line-protocol.ts),
 * so that no two accepted readings share a point. Re-writing a line is idempotent in InfluxDB
 * (same series and time), so a replay may repeat a batch but never skips one. Non-retryable
 * 4xx answers (400 bad line, 422 type conflict) are counted and dropped, never retried.
 *
 * Memory is bounded: lines handed to the client and not yet answered, plus lines
 * queued for the spool's disk, stay under `maxBufferLines` (ingest is told to wait
 * through `accepting`/`whenAccepting`; lines beyond go to the spool, not to memory).
 */
import { HttpError, InfluxDB, type Transport, type WriteApi } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import type { Reading } from '../contracts/readings.ts';
import type { HubMetrics } from '../metrics/hub.metrics.ts';
import { msLineToNs, PointTimes, toLine } from './line-protocol.ts';
import { Spool, type SpoolBatch } from './spool.ts';
import { v1WriteTransport } from './v1-write.transport.ts';
import { PRECISION, v2WritePath } from './influx.endpoint.ts';
import type { StoreConfig, StoreState } from './store.types.ts';
import { createDatabase } from './history.query.ts';
import { isHubError } from '../errors.ts';
import { redactUrl } from '../util/redact-url.ts';

export interface StoreDeps {
  logger: Logger;
  metrics: HubMetrics;
}

export interface Store {
  /** Opens the spool, pings InfluxDB (creating the v1 database if configured) and starts the replayer. Never fails because InfluxDB is down. */
  start(): Promise<void>;
  /** Synchronous and cheap; never throws. A reading that cannot be stored is counted (`invalid_point`). */
  write(reading: Reading): void;
  /** Writes one ready-made line of line protocol at ms precision (e.g. an alert event; the store turns it to ns). Never throws. */
  writeLine(line: string): void;
  /** False while memory or the spool is near its bound: ingest should wait (`whenAccepting`). */
  readonly accepting: boolean;
  /** Resolves once `accepting` is true again (at once after `close`). */
  whenAccepting(): Promise<void>;
  state(): StoreState;
  /** Flushes; whatever InfluxDB has not acknowledged by then is in the spool, replayed on the next start. */
  close(): Promise<void>;
}

/** Why points were dropped (`compound_hub_points_dropped_total{reason}`). */
export const STORE_DROP_REASONS = ['invalid_point', 'rejected_by_influxdb', 'spool_full', 'spool_unwritable', 'closed'] as const;
type DropReason = (typeof STORE_DROP_REASONS)[number];

const DEFAULTS = {
  batchSize: 5000,
  flushIntervalMs: 200,
  maxBufferLines: 100_000,
  requestTimeoutMs: 10_000,
  replayMinDelayMs: 500,
  replayMaxDelayMs: 10_000,
};
const PING_TIMEOUT_MS = 3000;
const DROP_LOG_INTERVAL_MS = 10_000;

type Failure = 'ok' | 'retry' | 'missing_database' | 'drop';

/** What to do with a batch whose write failed. */
export function classifyWriteError(error: unknown): Failure {
  if (!(error instanceof HttpError)) return 'retry'; // connection refused/reset, timeout, abort
  const status = error.statusCode;
  if (status >= 200 && status < 300) return 'ok'; // e.g. 200 instead of 204 from a proxy
  if (status === 404) return /(database|bucket).* not found/i.test(`${error.body ?? ''} ${error.message}`) ? 'missing_database' : 'retry';
  // 401/403: credentials are fixed by an operator; the data waits in the spool meanwhile.
  if (status === 408 || status === 429 || status === 401 || status === 403 || status >= 500) return 'retry';
  return 'drop';
}

function describe(error: unknown): string {
  if (error instanceof HttpError) {
    const body = (error.body || error.message || '').replace(/\s+/g, ' ').slice(0, 500);
    return `HTTP ${error.statusCode}: ${body}`;
  }
  return error instanceof Error ? error.message || error.name : String(error);
}

/** How many points of a refused batch InfluxDB dropped (1.x reports `dropped=N` for a partial write). */
function droppedCount(error: unknown, lines: number): number {
  const match = error instanceof HttpError ? /dropped=(\d+)/.exec(error.body ?? error.message) : null;
  return match ? Math.min(Number(match[1]), lines) : lines;
}

/** Times write requests (not pings or queries) into the write-latency histogram. */
function timedTransport(inner: Transport, metrics: HubMetrics): Transport {
  const isWrite = (path: string) => path.startsWith('/api/v2/write');
  return {
    send(path, body, options, callbacks) {
      if (!isWrite(path)) return inner.send(path, body, options, callbacks);
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
    request(path, body, options, responseStarted) {
      if (!isWrite(path)) return inner.request(path, body, options, responseStarted);
      const end = metrics.writeLatency.startTimer();
      return inner.request(path, body, options, responseStarted).finally(() => end());
    },
    iterate: (path, body, options) => inner.iterate(path, body, options),
    get chunkCombiner() {
      return inner.chunkCombiner;
    },
  };
}

/** A sleep that `wake()` ends early. */
function wakeableSleep() {
  let wakeUp: (() => void) | undefined;
  return {
    sleep(ms: number): Promise<void> {
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        timer.unref(); // the replayer alone never keeps the process alive
        function done() {
          clearTimeout(timer);
          wakeUp = undefined;
          resolve();
        }
        wakeUp = done;
      });
    },
    wake(): void {
      wakeUp?.();
    },
  };
}

export function createStore(deps: StoreDeps, config: StoreConfig): Store {
  const log = deps.logger.child({ stage: 'store', influx: redactUrl(config.url), api: config.api });
  const { metrics } = deps;
  const batchSize = config.batchSize ?? DEFAULTS.batchSize;
  const maxBufferLines = config.maxBufferLines ?? DEFAULTS.maxBufferLines;
  const requestTimeoutMs = config.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
  const replayMinDelayMs = config.replayMinDelayMs ?? DEFAULTS.replayMinDelayMs;
  const replayMaxDelayMs = Math.max(replayMinDelayMs, config.replayMaxDelayMs ?? DEFAULTS.replayMaxDelayMs);
  for (const reason of STORE_DROP_REASONS) metrics.pointsDropped.inc({ reason }, 0);

  let phase: 'new' | 'running' | 'closing' | 'closed' = 'new';
  let mode: 'live' | 'spooling' = 'live';
  let connected = false;
  let lastError: string | undefined;
  let inFlight = 0;
  let pointsWritten = 0;
  let databaseReady = !(config.api === 'v1' && config.createDatabase);
  let replayLoop: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  const replayer = wakeableSleep();
  const waiters: Array<() => void> = [];
  const dropLog = new Map<DropReason, { at: number; count: number }>();
  const times = new PointTimes();

  const spool = new Spool(config.spoolDir, config.spoolMaxBytes, (error) => log.error({ err: error.message, dir: config.spoolDir }, 'SPOOL NOT WRITABLE: lines wait in memory (bounded) until it is'), {
    segmentBytes: config.spoolSegmentBytes,
    maxPendingLines: maxBufferLines * 2,
    onChange: () => notify(),
  });

  const base = new InfluxDB({ url: config.url, token: config.api === 'v2' ? config.token : undefined, timeout: requestTimeoutMs });
  const transport = timedTransport(config.api === 'v1' ? v1WriteTransport(base.transport, config) : base.transport, metrics);
  const writePath = v2WritePath(config);

  const isAccepting = () => phase !== 'closed' && inFlight + spool.pendingLines < maxBufferLines && !spool.full;
  function notify(): void {
    metrics.spoolBytes.set(spool.bytes);
    metrics.spoolLines.set(spool.lines);
    if (waiters.length > 0 && (isAccepting() || phase === 'closed')) for (const resolve of waiters.splice(0)) resolve();
  }

  const drop = (reason: DropReason, count: number, detail?: string) => {
    metrics.pointsDropped.inc({ reason }, count);
    // Logged once per episode: the first drop at once (with the server's message), then a summary at most every 10 s.
    const now = Date.now();
    const entry = dropLog.get(reason);
    if (entry && now - entry.at < DROP_LOG_INTERVAL_MS) {
      entry.count += count;
      return;
    }
    const points = count + (entry?.count ?? 0);
    dropLog.set(reason, { at: now, count: 0 });
    log.error({ reason, points, detail, spoolBytes: spool.bytes }, `points dropped: ${reason}`);
  };
  const written = (count: number) => {
    pointsWritten += count;
    metrics.pointsWritten.inc(count);
    connected = true;
    lastError = undefined;
  };
  const toSpool = (lines: readonly string[]) => {
    if (spool.append(lines)) return;
    const reason: DropReason = phase === 'closed' ? 'closed' : spool.error !== undefined && !spool.full ? 'spool_unwritable' : 'spool_full';
    drop(reason, lines.length);
  };
  const startSpooling = (reason: string) => {
    connected = false;
    lastError = reason;
    if (mode === 'live') log.warn({ err: reason }, 'InfluxDB unavailable: spooling to disk until it answers again');
    mode = 'spooling';
    replayer.wake();
  };
  let overflowLoggedAt = 0;
  const overflow = () => {
    if (Date.now() - overflowLoggedAt > 60_000) {
      overflowLoggedAt = Date.now();
      log.warn({ inFlight, maxBufferLines }, 'InfluxDB slower than ingest: ingest held back, overflow to the spool');
    }
    replayer.wake();
  };

  const writeApi: WriteApi = new InfluxDB({ url: config.url, transport }).getWriteApi(config.org ?? '', config.bucket ?? config.database, PRECISION, {
    batchSize,
    flushInterval: config.flushIntervalMs ?? DEFAULTS.flushIntervalMs,
    maxRetries: 0, // failures are ours to handle (spool), never the client's in-memory retry buffer
    writeSuccess(lines) {
      inFlight -= lines.length;
      written(lines.length);
      notify();
    },
    writeFailed(error, lines) {
      inFlight -= lines.length;
      const kind = classifyWriteError(error);
      if (kind === 'ok') {
        written(lines.length);
      } else if (kind === 'drop') {
        connected = true;
        drop('rejected_by_influxdb', droppedCount(error, lines.length), describe(error));
      } else {
        if (kind === 'missing_database') databaseReady = !(config.api === 'v1' && config.createDatabase);
        toSpool(lines);
        startSpooling(describe(error));
      }
      notify();
      return Promise.resolve(); // handled: the client neither retries nor logs
    },
  });

  /** CREATE DATABASE (v1, when configured). Only an unreachable server is retried: a refusal (a user without admin rights) is logged, and writing goes on. */
  const ensureDatabase = async () => {
    if (databaseReady) return;
    try {
      await createDatabase(config);
    } catch (error) {
      if (isHubError(error, 'QUERY_FAILED') && error.message.startsWith('InfluxDB unreachable')) throw error;
      log.warn({ err: (error as Error).message, database: config.database }, 'CREATE DATABASE refused: writing anyway (the database must exist)');
    }
    databaseReady = true;
  };

  const ping = async () => {
    await transport.request('/ping', '', { method: 'GET', signal: AbortSignal.timeout(PING_TIMEOUT_MS) });
  };

  /** Sends spooled lines; resolves when InfluxDB took them (or refused them for good), throws when they must wait. */
  const replayChunk = async (lines: string[]) => {
    try {
      await transport.request(writePath, lines.join('\n'), {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        gzipThreshold: 1000,
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      written(lines.length);
    } catch (error) {
      const kind = classifyWriteError(error);
      if (kind === 'ok') written(lines.length);
      else if (kind === 'drop') drop('rejected_by_influxdb', droppedCount(error, lines.length), describe(error));
      else {
        if (kind === 'missing_database') databaseReady = !(config.api === 'v1' && config.createDatabase);
        throw error;
      }
    }
  };

  const replay = async () => {
    let delay = replayMinDelayMs;
    let cursor: (SpoolBatch & { next: number }) | undefined;
    try {
      while (phase === 'running') {
        if (mode === 'live' && !cursor && spool.isEmpty) {
          await replayer.sleep(3_600_000); // woken when the store spools or overflows, or closes
          continue;
        }
        try {
          await ping();
          await ensureDatabase();
          connected = true;
          if (!cursor) {
            if (spool.isEmpty) {
              if (mode === 'spooling') log.info({ pointsWritten }, 'spool drained: writing live again');
              mode = 'live';
              lastError = undefined;
              notify();
              continue;
            }
            const batch = await spool.takeOldest(batchSize);
            if (!batch) {
              await replayer.sleep(replayMinDelayMs); // lines still on their way to disk
              continue;
            }
            cursor = { ...batch, next: 0 };
          }
          while (cursor.next < cursor.lines.length && phase === 'running') {
            const chunk = cursor.lines.slice(cursor.next, cursor.next + batchSize);
            await replayChunk(chunk);
            cursor.next += chunk.length;
          }
          if (cursor.next >= cursor.lines.length) {
            if (!cursor.memory) await spool.remove(cursor.id);
            log.debug({ points: cursor.lines.length, left: spool.lines }, 'replayed spooled points');
            cursor = undefined;
          }
          delay = replayMinDelayMs;
          notify();
        } catch (error) {
          connected = false;
          lastError = describe(error);
          if (cursor?.memory) {
            spool.giveBack(cursor.lines.slice(cursor.next));
            cursor = undefined;
          }
          notify();
          await replayer.sleep(delay + Math.floor(Math.random() * delay * 0.3));
          delay = Math.min(delay * 2, replayMaxDelayMs);
        }
      }
    } finally {
      if (cursor?.memory) spool.giveBack(cursor.lines.slice(cursor.next));
    }
  };

  /** A line at ns precision. */
  const writeNsLine = (line: string) => {
    if (phase === 'closed') return drop('closed', 1);
    if (phase === 'closing' || mode === 'spooling') return toSpool([line]);
    if (inFlight >= maxBufferLines) {
      // InfluxDB is slower than ingest, not gone: ingest is held back (`accepting`), and only
      // what was already on its way spills to the spool, replayed beside the live writes.
      // Sending everything through the disk would make a slow InfluxDB slower still.
      overflow();
      return toSpool([line]);
    }
    inFlight += 1;
    try {
      writeApi.writeRecord(line);
    } catch (error) {
      inFlight -= 1;
      drop('closed', 1, describe(error));
    }
  };

  return {
    async start() {
      if (phase !== 'new') return;
      phase = 'running';
      try {
        await spool.open();
      } catch (error) {
        log.error({ err: (error as Error).message, dir: config.spoolDir }, 'spool folder unusable: writes continue, but an InfluxDB outage cannot be bridged until it is fixed');
      }
      if (!spool.isEmpty) {
        log.info({ points: spool.lines }, 'spooled points from an earlier run will be replayed');
        mode = 'spooling';
      }
      try {
        await ping();
        await ensureDatabase();
        connected = true;
      } catch (error) {
        connected = false;
        lastError = describe(error);
        mode = 'spooling';
        log.warn({ err: lastError }, 'InfluxDB not reachable at start: data waits in the spool');
      }
      notify();
      replayLoop = replay();
    },

    write(reading) {
      let line: string;
      try {
        line = toLine(reading, times);
      } catch (error) {
        drop('invalid_point', 1, describe(error));
        return;
      }
      writeNsLine(line);
    },

    writeLine(line) {
      writeNsLine(msLineToNs(line));
    },

    get accepting() {
      return isAccepting();
    },

    whenAccepting() {
      if (isAccepting() || phase === 'closed') return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push(resolve));
    },

    state() {
      const spoolError = spool.error;
      return {
        api: config.api,
        url: redactUrl(config.url),
        connected,
        accepting: isAccepting(),
        spooling: mode === 'spooling',
        spoolBytes: spool.bytes,
        spoolLines: spool.lines,
        bufferedLines: inFlight + spool.pendingLines,
        pointsWritten,
        ...(lastError !== undefined || spoolError !== undefined ? { lastError: spoolError ?? lastError } : {}),
        ...(spoolError !== undefined ? { spoolError } : {}),
      };
    },

    close() {
      closing ??= (async () => {
        const wasRunning = phase === 'running';
        phase = 'closing'; // from here on new lines go to the spool
        replayer.wake();
        await writeApi.flush().catch(() => undefined); // failures were handled by writeFailed
        // Batches already on their way end within the request timeout: written, refused or spooled.
        const deadline = Date.now() + requestTimeoutMs + 2000;
        while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
        await replayLoop;
        await writeApi.close().catch(() => undefined);
        phase = 'closed'; // lines arriving now are counted as dropped ('closed'); the spool writes what it holds
        notify();
        await spool.close();
        if (spool.pendingLines > 0) log.error({ points: spool.pendingLines }, 'points LOST at close: the spool folder could not be written');
        if (inFlight > 0) log.error({ points: inFlight }, 'points unanswered by InfluxDB at close (may or may not be stored)');
        if (wasRunning && !spool.isEmpty) log.warn({ points: spool.lines, dir: config.spoolDir }, 'points left in the spool; replayed on next start');
      })();
      return closing;
    },
  };
}
