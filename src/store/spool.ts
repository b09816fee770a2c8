/**
 * Bounded on-disk spool of line-protocol lines waiting for InfluxDB: append-only
 * segment files (`seg-<n>.ns.lp`, one line per `\n`, ns precision), fdatasync'd, in a folder
 * of their own. Segments of hubs that wrote ms precision (`seg-<n>.lp`) are still replayed:
 * their lines are handed out turned to ns.
 * The oldest segment is replayed first and deleted only after InfluxDB acknowledged
 * it; segments survive a restart of the hub.
 *
 * `maxBytes` is where the spool reports itself full, so that the store stops accepting. Lines
 * already on their way then (a burst the broker had admitted, alert events) are still taken,
 * up to `maxBytes` plus as much again (at most 64 MiB more): a line is refused, and so lost,
 * only beyond that, which backpressure keeps from happening.
 *
 * Lines are queued in memory (`append`, synchronous) and written in batches by a
 * serial writer. A failed disk write (unwritable folder, disk full) keeps the lines
 * queued (bounded by `maxPendingLines`), reports the error and retries; the segment
 * that failed is cut back to its last good length and never appended to again, so a
 * torn write cannot glue two lines together. A torn tail left by a crash is cut at open.
 */
import { mkdir, open, readdir, readFile, rm, truncate, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { msLineToNs } from './line-protocol.ts';

const DEFAULT_SEGMENT_MAX_BYTES = 4 * 1024 * 1024;
/** Room beyond `maxBytes` for lines on their way when the spool became full. */
const MAX_OVERSHOOT_BYTES = 64 * 1024 * 1024;
const FLUSH_DELAY_MS = 50;
const FLUSH_NOW_LINES = 2000;
const RETRY_DELAY_MS = 1000;
/** `seg-<id>.ns.lp`; without `.ns`: written by a hub of ms precision. */
const SEGMENT_NAME = /^seg-(\d{12})(\.ns)?\.lp$/;
const NEWLINE = 0x0a;

export interface SpoolBatch {
  /** Segment id; 0 for lines handed out from memory. */
  id: number;
  lines: string[];
  memory?: true;
}

interface Segment {
  id: number;
  bytes: number;
  lines: number;
  /** Lines at ms precision (an older hub's segment). */
  ms?: true;
}

export interface SpoolOptions {
  /** Size at which a new segment is started (default: maxBytes / 8, within 64 KiB … 4 MiB). */
  segmentBytes?: number;
  /** Lines queued in memory, not yet on disk, beyond which `append` refuses (default 200,000). */
  maxPendingLines?: number;
  /** Called whenever the totals or the error change. */
  onChange?: () => void;
}

export class Spool {
  readonly #segments: Segment[] = [];
  readonly #segmentBytes: number;
  readonly #maxPendingLines: number;
  readonly #onChange: () => void;
  #current?: { segment: Segment; handle: FileHandle };
  #pending: string[] = [];
  #pendingBytes = 0;
  /** Lines taken from #pending by the write in progress: still waiting until they are on disk. */
  #writingLines = 0;
  #writingBytes = 0;
  #diskBytes = 0;
  #diskLines = 0;
  #nextId = 1;
  #opened = false;
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();
  #timer?: NodeJS.Timeout;
  #error?: string;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly onError: (error: Error) => void,
    options: SpoolOptions = {},
  ) {
    this.#segmentBytes = options.segmentBytes ?? Math.min(DEFAULT_SEGMENT_MAX_BYTES, Math.max(64 * 1024, Math.floor(maxBytes / 8)));
    this.#maxPendingLines = options.maxPendingLines ?? 200_000;
    this.#onChange = options.onChange ?? (() => undefined);
  }

  /** Creates the folder and takes stock of segments left by an earlier run. Throws on disk errors (also kept in `error`). */
  open(): Promise<void> {
    return this.#serial(() => this.#openNow());
  }

  /** Bytes waiting (on disk, being written, and queued). */
  get bytes(): number {
    return this.#diskBytes + this.#writingBytes + this.#pendingBytes;
  }

  /** Lines waiting (on disk, being written, and queued). */
  get lines(): number {
    return this.#diskLines + this.#writingLines + this.#pending.length;
  }

  /** Lines in memory, not yet on disk (queued or being written). */
  get pendingLines(): number {
    return this.#pending.length + this.#writingLines;
  }

  get isEmpty(): boolean {
    return this.#pending.length === 0 && this.#writingLines === 0 && this.#segments.length === 0;
  }

  /** Near the byte bound: stop feeding it (a little headroom is kept for lines already on their way). */
  get full(): boolean {
    return this.bytes >= this.maxBytes - Math.min(this.maxBytes * 0.05, 4 * 1024 * 1024);
  }

  /** Last disk error (unwritable folder, disk full), cleared by the next successful write. */
  get error(): string | undefined {
    return this.#error;
  }

  /** Bytes beyond which `append` refuses: `maxBytes`, plus room for what was on its way when the spool became full. */
  get hardMaxBytes(): number {
    return this.maxBytes + Math.min(this.maxBytes, MAX_OVERSHOOT_BYTES);
  }

  /**
   * Queues lines for disk. Returns false (and takes none of them) when they do not fit the
   * bounds (`hardMaxBytes`, `maxPendingLines`), or after close.
   */
  append(lines: readonly string[]): boolean {
    if (this.#closed) return false;
    if (this.pendingLines + lines.length > this.#maxPendingLines) return false;
    let bytes = 0;
    for (const line of lines) bytes += Buffer.byteLength(line) + 1;
    if (this.bytes + bytes > this.hardMaxBytes) return false;
    for (const line of lines) this.#pending.push(line);
    this.#pendingBytes += bytes;
    this.#schedule(this.#pending.length >= FLUSH_NOW_LINES ? 0 : FLUSH_DELAY_MS);
    this.#onChange();
    return true;
  }

  /** Writes queued lines to disk and fsyncs them. Never throws; a failure is kept in `error`. */
  flush(): Promise<void> {
    return this.#serial(() => this.#flushNow());
  }

  /**
   * The oldest segment's lines (sealing the current one if it is the oldest), or
   * undefined when nothing waits. While the disk refuses writes, lines queued in memory
   * are handed out instead (`memory: true`, at most `memoryBatch`): they leave the spool
   * at once, and the caller gives back what InfluxDB did not take (`giveBack`).
   */
  takeOldest(memoryBatch = 5000): Promise<SpoolBatch | undefined> {
    return this.#serial(async () => {
      await this.#flushNow();
      const oldest = this.#segments[0];
      if (!oldest) {
        if (this.#error === undefined || this.#pending.length === 0) return undefined;
        const lines = this.#pending.splice(0, memoryBatch);
        for (const line of lines) this.#pendingBytes -= Buffer.byteLength(line) + 1;
        this.#onChange();
        return { id: 0, lines, memory: true };
      }
      if (this.#current?.segment === oldest) await this.#closeCurrent();
      const text = await readFile(this.#file(oldest), 'utf8');
      const lines = text.split('\n');
      lines.pop(); // after the last '\n' (a torn tail never gets here: cut at open, cut back on a failed write)
      return { id: oldest.id, lines: oldest.ms ? lines.map(msLineToNs) : lines };
    });
  }

  /** Puts lines handed out from memory back in front of the queue (InfluxDB did not take them). */
  giveBack(lines: readonly string[]): void {
    if (lines.length === 0) return;
    let bytes = 0;
    for (const line of lines) bytes += Buffer.byteLength(line) + 1;
    this.#pending = [...lines, ...this.#pending];
    this.#pendingBytes += bytes;
    this.#schedule(FLUSH_DELAY_MS);
    this.#onChange();
  }

  /** Deletes a replayed segment. */
  remove(id: number): Promise<void> {
    return this.#serial(async () => {
      const index = this.#segments.findIndex((s) => s.id === id);
      if (index < 0) return;
      if (this.#current?.segment.id === id) await this.#closeCurrent();
      await rm(this.#file(this.#segments[index]!), { force: true });
      const [segment] = this.#segments.splice(index, 1);
      this.#diskBytes -= segment!.bytes;
      this.#diskLines -= segment!.lines;
      this.#onChange();
    });
  }

  /** Writes what is queued and closes the current segment. Lines still queued after a disk error are lost (and reported). */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
    await this.#serial(() => this.#closeCurrent());
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #openNow(): Promise<void> {
    if (this.#opened) return;
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const found = (await readdir(this.dir)).flatMap((name) => {
        const match = SEGMENT_NAME.exec(name);
        return match ? [{ id: Number(match[1]), ms: match[2] === undefined }] : [];
      });
      for (const { id, ms } of found.sort((a, b) => a.id - b.id)) {
        this.#nextId = Math.max(this.#nextId, id + 1);
        const file = this.#file({ id, ms: ms || undefined });
        const data = await readFile(file);
        const end = data.lastIndexOf(NEWLINE) + 1;
        if (end === 0) {
          await rm(file, { force: true });
          continue;
        }
        if (end < data.length) await truncate(file, end); // a write torn by a crash
        let lines = 0;
        for (let at = data.indexOf(NEWLINE); at >= 0 && at < end; at = data.indexOf(NEWLINE, at + 1)) lines += 1;
        this.#segments.push(ms ? { id, bytes: end, lines, ms } : { id, bytes: end, lines });
        this.#diskBytes += end;
        this.#diskLines += lines;
      }
      this.#opened = true;
      this.#error = undefined;
    } catch (error) {
      this.#fail(error as Error);
      throw error;
    } finally {
      this.#onChange();
    }
  }

  async #flushNow(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    if (!this.#opened) {
      try {
        await this.#openNow();
      } catch {
        this.#schedule(RETRY_DELAY_MS);
        return;
      }
    }
    // Take the batch before awaiting: appends during the write go to a fresh buffer. The batch
    // still counts as waiting (#writing…) until it is on disk, so the spool never looks empty meanwhile.
    const lines = this.#pending;
    const bytes = this.#pendingBytes;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#writingLines = lines.length;
    this.#writingBytes = bytes;
    let current = this.#current;
    try {
      if (!current || current.segment.bytes >= this.#segmentBytes) {
        await this.#closeCurrent();
        const segment = { id: this.#nextId++, bytes: 0, lines: 0 };
        current = { segment, handle: await open(this.#file(segment), 'a', 0o600) };
        this.#current = current;
        this.#segments.push(segment);
        await this.#syncDir();
      }
      await current.handle.appendFile(`${lines.join('\n')}\n`);
      await current.handle.datasync();
      current.segment.bytes += bytes;
      current.segment.lines += lines.length;
      this.#diskBytes += bytes;
      this.#diskLines += lines.length;
      this.#writingLines = 0;
      this.#writingBytes = 0;
      this.#error = undefined;
      this.#onChange();
    } catch (error) {
      this.#writingLines = 0;
      this.#writingBytes = 0;
      this.#pending = lines.concat(this.#pending);
      this.#pendingBytes += bytes;
      if (current) await this.#abandon(current);
      this.#fail(error as Error);
      this.#schedule(RETRY_DELAY_MS);
    }
  }

  /** After a failed write: cut the segment back to what is known to be whole, and never append to it again. */
  async #abandon(current: { segment: Segment; handle: FileHandle }): Promise<void> {
    if (this.#current === current) this.#current = undefined;
    await current.handle.truncate(current.segment.bytes).catch(() => undefined);
    await current.handle.close().catch(() => undefined);
    if (current.segment.bytes === 0) {
      const index = this.#segments.indexOf(current.segment);
      if (index >= 0) this.#segments.splice(index, 1);
      await rm(this.#file(current.segment), { force: true }).catch(() => undefined);
    }
  }

  #fail(error: Error): void {
    const message = `spool ${this.dir}: ${error.message}`;
    const first = this.#error !== message;
    this.#error = message;
    if (first) this.onError(error);
    this.#onChange();
  }

  /** Makes a new segment's directory entry durable. */
  async #syncDir(): Promise<void> {
    const handle = await open(this.dir, 'r').catch(() => undefined);
    await handle?.sync().catch(() => undefined);
    await handle?.close().catch(() => undefined);
  }

  #schedule(delay: number): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, delay);
  }

  async #closeCurrent(): Promise<void> {
    const current = this.#current;
    this.#current = undefined;
    await current?.handle.close();
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #file(segment: { id: number; ms?: true | undefined }): string {
    return path.join(this.dir, `seg-${String(segment.id).padStart(12, '0')}${segment.ms ? '' : '.ns'}.lp`);
  }
}
