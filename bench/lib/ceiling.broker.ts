/**
 * The ceiling of a benchmark run, in its own process: a plain Aedes broker (no device
 * authentication or ACL), and with `--count FILE` a subscriber that only counts messages
 * per device and writes the counts to FILE when stopped (SIGTERM). Without `--count` it is
 * the broker the peer (Node-RED) subscribes to.
 *
 *   node --import tsx bench/lib/ceiling.broker.ts --port 0 [--count counts.json]
 */
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { parseArgs } from 'node:util';
import { Aedes } from 'aedes';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, count: { type: 'string' } } });
const aedes = await Aedes.createBroker({ queueLimit: 100 });
const counts = new Map<string, number>();
if (values.count) {
  await new Promise<void>((resolve) =>
    aedes.subscribe(
      'compounds/+/+/+/+',
      (packet, done) => {
        // compounds/{compound}/{type}/{device}/{channel} → compound/type/device; only the
        // readings count (the load generator's closing `status` marker is not a reading)
        const topic = packet.topic;
        if (topic.endsWith('/status')) return done();
        const key = topic.slice(topic.indexOf('/') + 1, topic.lastIndexOf('/'));
        counts.set(key, (counts.get(key) ?? 0) + 1);
        done();
      },
      resolve,
    ),
  );
}
const server = net.createServer((socket) => aedes.handle(socket));
server.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address() as net.AddressInfo;
  process.stdout.write(`ceiling broker listening on ${address.port}\n`);
});
process.once('SIGTERM', () => {
  if (values.count) writeFileSync(values.count, JSON.stringify(Object.fromEntries(counts)));
  process.exit(0);
});
