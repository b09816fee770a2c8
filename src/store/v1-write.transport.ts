/**
 * A Transport for @influxdata/influxdb-client that lets its WriteApi talk to InfluxDB
 * 1.x servers without /api/v2/write (Debian's 1.6.7): write paths are mapped to
 * /write?db=…&precision=…, with basic auth; everything else goes to the wrapped transport.
 */
import type { CommunicationObserver, SendOptions, Transport } from '@influxdata/influxdb-client';
import { authHeaders, toV1Path } from './influx.endpoint.ts';
import type { StoreSettings } from './store.types.ts';

export function v1WriteTransport(inner: Transport, settings: StoreSettings): Transport {
  const auth = authHeaders(settings);
  const withAuth = (options: SendOptions): SendOptions => ({ ...options, headers: { ...options.headers, ...auth } });
  return {
    send(path: string, body: string, options: SendOptions, callbacks?: Partial<CommunicationObserver<Uint8Array>>) {
      inner.send(toV1Path(path, settings), body, withAuth(options), callbacks);
    },
    request(path: string, body: unknown, options: SendOptions, responseStarted?) {
      return inner.request(toV1Path(path, settings), body, withAuth(options), responseStarted);
    },
    iterate(path: string, body: unknown, options: SendOptions) {
      return inner.iterate(toV1Path(path, settings), body, withAuth(options));
    },
    get chunkCombiner() {
      return inner.chunkCombiner;
    },
  };
}
