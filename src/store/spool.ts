/**
 * Bounded on-disk spool of line-protocol lines waiting for InfluxDB. Append-only
 * segment files (`seg-<n>.lp`), fsync'd; the oldest segment is replayed first and
 * deleted only after InfluxDB acknowledged it. Survives restarts of the hub.
 */
import { mkdir, open, readdir, readFile, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

const SEGMENT_MAX_BYTES = 4 * 1024 * 1024;
const FLUSH_DELAY_MS = 100;
const SEGMENT_NAME = /^seg-(\d{12})\.lp$/;

interface Segment {
  id: number;
  bytes: number;
  lines: number;
}

export class Spool {
  readonly #segments: Segment[] = [];
  #current?: { segment: Segment; handle: FileHandle };
  #pending: string[] = [];
  #pendingBytes = 0;
  #nextId = 1;
  #queue: Promise<unknown> = Promise.resolve();
  #timer?: NodeJS.Timeout;
  #error?: string;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly onError: (error: Error) => void,
  ) {}

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const names = (await readdir(this.dir)).filter((n) => SEGMENT_NAME.test(n)).sort();
    for (const name of names) {
      const id = Number(SEGMENT_NAME.exec(name)![1]);
      const text = await readFile(this.#file(id), 'utf8');
      const lines = text.split('\n').filter(Boolean).length;
      if (lines === 0) {
        await rm(this.#file(id), { force: true });
        continue;
      }
      this.#segments.push({ id, bytes: (await stat(this.#file(id))).size, lines });
      this.#nextId = Math.max(this.#nextId, id + 1);
    }
  }

  get bytes(): number {
    return this.#segments.reduce((sum, s) => sum + s.bytes, 0) + this.#pendingBytes;
  }

  get lines(): number {
    return this.#segments.reduce((sum, s) => sum + s.lines, 0) + this.#pending.length;
  }

  get isEmpty(): boolean {
    return this.#pending.length === 0 && this.#segments.length === 0;
  }

  get full(): boolean {
    return this.bytes >= this.maxBytes;
  }

  /** Last disk error (unwritable dir, disk full), cleared by the next successful write. */
  get error(): string | undefined {
    return this.#error;
  }

  /** Queues lines for disk. Returns false (and takes nothing) when the spool is full. */
  append(lines: string[]): boolean {
    let bytes = 0;
    for (const line of lines) bytes += Buffer.byteLength(line) + 1;
    if (this.bytes + bytes > this.maxBytes) return false;
    for (const line of lines) this.#pending.push(line);
    this.#pendingBytes += bytes;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, FLUSH_DELAY_MS);
    return true;
  }

  /** Writes queued lines to the current segment and fsyncs it. */
  flush(): Promise<void> {
    return this.#serial(() => this.#flushNow());
  }

  /** The oldest segment's lines (closing the current one if it is the only one), or undefined when empty. */
  takeOldest(): Promise<{ id: number; lines: string[] } | undefined> {
    return this.#serial(async () => {
      await this.#flushNow();
      const oldest = this.#segments[0];
      if (!oldest) return undefined;
      if (this.#current?.segment === oldest) await this.#closeCurrent();
      const text = await readFile(this.#file(oldest.id), 'utf8');
      return { id: oldest.id, lines: text.split('\n').filter(Boolean) };
    });
  }

  /** Deletes a replayed segment. */
  remove(id: number): Promise<void> {
    return this.#serial(async () => {
      const index = this.#segments.findIndex((s) => s.id === id);
      if (index < 0) return;
      if (this.#current?.segment.id === id) await this.#closeCurrent();
      this.#segments.splice(index, 1);
      await rm(this.#file(id), { force: true });
    });
  }

  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
    await this.#serial(() => this.#closeCurrent());
  }

  async #flushNow(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    // Take the batch before awaiting: appends during the write go to a fresh buffer.
    const lines = this.#pending;
    const bytes = this.#pendingBytes;
    this.#pending = [];
    this.#pendingBytes = 0;
    try {
      if (!this.#current || this.#current.segment.bytes >= SEGMENT_MAX_BYTES) {
        await this.#closeCurrent();
        const segment = { id: this.#nextId++, bytes: 0, lines: 0 };
        this.#current = { segment, handle: await open(this.#file(segment.id), 'a', 0o600) };
        this.#segments.push(segment);
      }
      const { segment, handle } = this.#current;
      await handle.appendFile(`${lines.join('\n')}\n`);
      await handle.datasync();
      segment.bytes += bytes;
      segment.lines += lines.length;
      this.#error = undefined;
    } catch (error) {
      // The batch goes back in front (still bounded by maxBytes) and is retried on the next flush.
      this.#pending = lines.concat(this.#pending);
      this.#pendingBytes += bytes;
      this.#error = `spool ${this.dir}: ${(error as Error).message}`;
      this.onError(error as Error);
      this.#timer ??= setTimeout(() => {
        this.#timer = undefined;
        void this.flush();
      }, 1000);
    }
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

  #file(id: number): string {
    return path.join(this.dir, `seg-${String(id).padStart(12, '0')}.lp`);
  }
}
