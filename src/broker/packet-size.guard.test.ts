import { describe, expect, it } from 'vitest';
import net from 'node:net';
import { PacketSizeScanner, guardPacketSize } from './packet-size.guard.ts';

/** An MQTT packet with `body` bytes after its fixed header (MQTT 3.1.1 §2.2.3: remaining length, 7 bits a byte). */
function packet(body: number, type = 0x30): Buffer {
  const length: number[] = [];
  let n = body;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    length.push(byte);
  } while (n > 0);
  return Buffer.concat([Buffer.from([type, ...length]), Buffer.alloc(body, 0x61)]);
}

describe('PacketSizeScanner', () => {
  it('passes packets up to the limit, counting the fixed header, with 1 to 3 length bytes', () => {
    const scanner = new PacketSizeScanner(20_000);
    for (const body of [0, 1, 127, 128, 16_383, 16_384, 20_000 - 4]) expect(scanner.scan(packet(body)), `${body}`).toBe(-1);
    expect(new PacketSizeScanner(130).scan(packet(128))).toBe(0); // 1 + 2 + 128 = 131 bytes
    expect(new PacketSizeScanner(131).scan(packet(128))).toBe(-1);
  });

  it('finds a packet over the limit behind others in the same chunk, and says where it starts', () => {
    const scanner = new PacketSizeScanner(1000);
    const ok = Buffer.concat([packet(10), packet(500)]);
    expect(scanner.scan(Buffer.concat([ok, packet(2000)]))).toBe(ok.length);
    expect(scanner.scan(packet(1))).toBe(0); // once tripped, nothing more passes
  });

  it('follows headers and bodies split anywhere across chunks, down to single bytes', () => {
    const stream = Buffer.concat([packet(300), packet(0, 0xc0), packet(17_000), packet(5)]);
    const limit = new PacketSizeScanner(20_000);
    expect([...stream].every((byte) => limit.scan(Buffer.from([byte])) === -1)).toBe(true);
    const tight = new PacketSizeScanner(500);
    const results = [...stream].map((byte) => tight.scan(Buffer.from([byte])));
    // The third packet's length is known to be over the limit at its second length byte.
    const at = packet(300).length + packet(0).length + 2;
    expect(results.indexOf(0)).toBe(at);
    expect(results.slice(0, at).every((r) => r === -1)).toBe(true);
  });

  it('stops at a declared length alone (the body never has to arrive), and at a malformed fifth length byte', () => {
    expect(new PacketSizeScanner(65_536).scan(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]))).toBe(0); // 256 MB declared
    expect(new PacketSizeScanner(65_536).scan(Buffer.from([0x30, 0xff, 0xff, 0xff]))).toBe(0); // over after three of four length bytes
    expect(new PacketSizeScanner(1 << 30).scan(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01]))).toBe(0);
  });
});

describe('guardPacketSize', () => {
  it('delivers the packets before an oversized one, then ends the connection without reading its body', async () => {
    let tooLarge = 0;
    const delivered: Buffer[] = [];
    const server = net.createServer((socket) => {
      const conn = guardPacketSize(socket, 1000, () => (tooLarge += 1));
      conn.on('data', (chunk: Buffer) => delivered.push(chunk));
      conn.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const client = net.connect(port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => client.on('close', () => resolve()));
    client.on('error', () => undefined);
    const ok = Buffer.concat([packet(10), packet(900)]);
    client.write(Buffer.concat([ok, packet(5000)]));
    await closed;
    server.close();
    expect(tooLarge).toBe(1);
    expect(Buffer.concat(delivered)).toEqual(ok);
  });
});
