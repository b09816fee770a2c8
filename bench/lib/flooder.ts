/**
 * One misbehaving device in its own process: QoS 0 telemetry as fast as its socket takes it,
 * for `--duration` seconds. When the broker ends the connection (a persistent offender) it
 * connects again at once and goes on, as a broken firmware would. Prints `flooding` once
 * connected, and a JSON report on its last line.
 *
 *   node --import tsx bench/lib/flooder.ts --url mqtt://… --key c/t/d --secret … --topic … --duration 20
 */
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';

const { values } = parseArgs({
  options: { url: { type: 'string' }, key: { type: 'string' }, secret: { type: 'string' }, topic: { type: 'string' }, duration: { type: 'string', default: '20' } },
});
const { url, key, secret, topic } = values as { url: string; key: string; secret: string; topic: string };
const durationMs = Number(values.duration) * 1000;
/** Bytes the socket may hold unsent before the flooder waits for it to drain. */
const HIGH_WATER = 1 << 20;

let sent = 0;
let connects = 0;
let seq = 0;
const started = Date.now();
const over = () => Date.now() - started >= durationMs;

async function connect(): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { clientId: key, username: key, password: secret, reconnectPeriod: 0, connectTimeout: 10_000 });
  client.on('error', () => undefined);
  connects += 1;
  return client;
}

let client = await connect();
process.stdout.write('flooding\n');
while (!over()) {
  if (!client.connected) {
    try {
      client = await connect();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    continue;
  }
  for (let i = 0; i < 500 && client.connected; i += 1) {
    seq += 1;
    client.publish(topic, `{"seq":${seq},"occupied":${seq % 2 === 0}}`, { qos: 0 });
    sent += 1;
  }
  const stream = client.stream as NodeJS.WritableStream & { writableLength?: number };
  if ((stream.writableLength ?? 0) > HIGH_WATER) {
    // The broker may not read for a while (its rate limit): wait for it, but not past the end.
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, durationMs - (Date.now() - started)));
      const done = () => {
        clearTimeout(timer);
        resolve(undefined);
      };
      stream.once('drain', done);
      client.once('close', done);
    });
  }
  else await new Promise((resolve) => setImmediate(resolve));
}
const elapsedMs = Date.now() - started;
await client.endAsync(true).catch(() => undefined);
process.stdout.write(`${JSON.stringify({ sent, elapsedMs, rate: Math.round((sent * 1000) / elapsedMs), connects })}\n`);
process.exit(0);
