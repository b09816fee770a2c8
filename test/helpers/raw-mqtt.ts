/**
 * MQTT 3.1.1 packets made by hand (OASIS spec §2–3) on a plain TCP socket, for tests that
 * send what a client library refuses to: wildcards in a PUBLISH topic, bytes that are not
 * UTF-8, a packet larger than the broker takes, a CONNECT trickled a byte at a time.
 */
import net from 'node:net';

/** The remaining length as a variable byte integer (§2.2.3). */
export function remainingLength(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return Buffer.from(bytes);
}

/** A length-prefixed string (§1.5.3); a Buffer goes as it is, whatever its bytes. */
function lengthPrefixed(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function packet(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), remainingLength(body.length), body]);
}

export function connectPacket(options: {
  clientId: string;
  username?: string | Buffer;
  password?: string | Buffer;
  keepaliveSec?: number;
  /** Clean session (default true). */
  clean?: boolean;
  /** Last Will, QoS 1, retained. */
  will?: { topic: string; payload: string };
}): Buffer {
  const flags =
    (options.clean === false ? 0 : 0x02) |
    (options.will ? 0x04 | 0x08 | 0x20 : 0) | // will flag, will QoS 1, will retain
    (options.username !== undefined ? 0x80 : 0) |
    (options.password !== undefined ? 0x40 : 0);
  const keepalive = Buffer.alloc(2);
  keepalive.writeUInt16BE(options.keepaliveSec ?? 30);
  const header = Buffer.concat([lengthPrefixed('MQTT'), Buffer.from([4, flags]), keepalive]);
  const fields = [lengthPrefixed(options.clientId)];
  if (options.will) fields.push(lengthPrefixed(options.will.topic), lengthPrefixed(options.will.payload));
  if (options.username !== undefined) fields.push(lengthPrefixed(options.username));
  if (options.password !== undefined) fields.push(lengthPrefixed(options.password));
  return packet(0x10, Buffer.concat([header, ...fields]));
}

/** PUBLISH at QoS 0 (no packet id), or QoS 1 with packet id 1. */
export function publishPacket(topic: string | Buffer, payload: string | Buffer, qos: 0 | 1 = 0): Buffer {
  const body = [lengthPrefixed(topic)];
  if (qos === 1) body.push(Buffer.from([0, 1]));
  body.push(typeof payload === 'string' ? Buffer.from(payload) : payload);
  return packet(0x30 | (qos << 1), Buffer.concat(body));
}

export function subscribePacket(filter: string | Buffer): Buffer {
  return packet(0x82, Buffer.concat([Buffer.from([0, 1]), lengthPrefixed(filter), Buffer.from([1])]));
}

export interface RawConnection {
  socket: net.Socket;
  /** Everything the broker sent so far. */
  received(): Buffer;
  /** Resolves once the broker (or anyone) has closed the connection. */
  closed: Promise<void>;
  isClosed(): boolean;
  write(bytes: Buffer): Promise<void>;
  /** Waits for the CONNACK and returns its return code (0: accepted, 4/5: refused). */
  connack(): Promise<number>;
}

export async function openRaw(brokerUrl: string): Promise<RawConnection> {
  const url = new URL(brokerUrl);
  const socket = net.connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined); // a reset by the broker is an expected outcome here
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  let isClosed = false;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void closed.then(() => (isClosed = true));
  const received = () => Buffer.concat(chunks);
  return {
    socket,
    received,
    closed,
    isClosed: () => isClosed,
    write: (bytes) => new Promise((resolve) => socket.write(bytes, () => resolve())),
    connack: async () => {
      while (received().length < 4) {
        if (isClosed) throw new Error('closed before CONNACK');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const bytes = received();
      if (bytes[0] !== 0x20) throw new Error(`expected CONNACK, got packet type 0x${bytes[0]!.toString(16)}`);
      return bytes[3]!;
    },
  };
}
