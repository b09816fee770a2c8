/**
 * The largest MQTT packet the embedded broker takes. Aedes buffers a whole packet before it
 * parses it, and MQTT allows 256 MB, so one connection could pin that much memory. The
 * guard reads only the fixed headers of the inbound bytes (MQTT 3.1.1 §2.2: one byte of
 * type and flags, then the remaining length as a variable integer of 1–4 bytes) and ends
 * the connection at the first packet that declares more than the limit: its body is never
 * buffered, and the packets before it in the same read are passed on untouched.
 */
import { Duplex } from 'node:stream';

/** Finds the first packet over the limit in a connection's byte stream, chunk by chunk. */
export class PacketSizeScanner {
  /** Body bytes of the current packet still to come. */
  #body = 0;
  /** Bytes of the fixed header read so far; 0 at a packet boundary. */
  #header = 0;
  #length = 0;
  #multiplier = 1;
  #tripped = false;

  constructor(readonly maxBytes: number) {}

  /**
   * Offset in `chunk` where a packet over the limit starts (0 when it started in an earlier
   * chunk), or -1 while every packet stays within it.
   */
  scan(chunk: Uint8Array): number {
    if (this.#tripped) return 0;
    let start = 0;
    let i = 0;
    while (i < chunk.length) {
      if (this.#body > 0) {
        const skip = Math.min(this.#body, chunk.length - i);
        this.#body -= skip;
        i += skip;
        continue;
      }
      const byte = chunk[i]!;
      if (this.#header === 0) {
        start = i; // the type byte
        this.#length = 0;
        this.#multiplier = 1;
      } else {
        this.#length += (byte & 0x7f) * this.#multiplier;
        this.#multiplier *= 128;
      }
      this.#header += 1;
      i += 1;
      if (this.#header === 1) continue;
      const more = (byte & 0x80) !== 0;
      // A fifth length byte is malformed: it would declare more than MQTT's 256 MB.
      if (this.#header + this.#length > this.maxBytes || (more && this.#header === 5)) {
        this.#tripped = true;
        return start;
      }
      if (!more) {
        this.#body = this.#length;
        this.#header = 0;
      }
    }
    return -1;
  }
}

/**
 * The connection as the broker sees it: inbound bytes pass the scanner; writes go straight to
 * the socket, a corked batch as one write (a PUBACK stays one TCP segment, so Nagle's
 * algorithm never holds half of it back). When a packet is over the limit, `onTooLarge` is
 * called, the bytes before it are delivered and the socket is destroyed.
 */
class GuardedConnection extends Duplex {
  readonly #socket: Duplex;

  constructor(socket: Duplex, maxBytes: number, onTooLarge: () => void) {
    super();
    this.#socket = socket;
    const scanner = new PacketSizeScanner(maxBytes);
    socket.on('data', (chunk: Buffer) => {
      const at = scanner.scan(chunk);
      const taken = at < 0 ? chunk : chunk.subarray(0, at);
      if (taken.length > 0 && !this.push(taken)) socket.pause();
      if (at >= 0) {
        onTooLarge();
        socket.destroy();
      }
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (error) => this.destroy(error));
    socket.on('close', () => this.destroy());
  }

  override _read(): void {
    this.#socket.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.#socket.write(chunk, encoding, done);
  }

  override _writev(chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>, done: (error?: Error | null) => void): void {
    const socket = this.#socket;
    socket.cork();
    chunks.forEach(({ chunk, encoding }, i) => (i === chunks.length - 1 ? socket.write(chunk, encoding, done) : socket.write(chunk, encoding)));
    socket.uncork();
  }

  override _final(done: (error?: Error | null) => void): void {
    this.#socket.end(done);
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.#socket.destroy(error ?? undefined);
    done(error);
  }
}

/** `socket`: a TCP or TLS socket, or a WebSocket's byte stream. */
export function guardPacketSize(socket: Duplex, maxBytes: number, onTooLarge: () => void): Duplex {
  return new GuardedConnection(socket, maxBytes, onTooLarge);
}
