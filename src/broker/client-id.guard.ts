/**
 * A device is only itself (design.md §3): what the embedded broker checks in a CONNECT
 * besides the secret. Pure functions, so the rules are tested without a socket.
 *
 * - The client id is the device's key, `compound/type/device`, the same as its username
 *   (on Mosquitto, `use_username_as_clientid true` gives the same binding). An empty client
 *   id with a clean session is taken as the key. Anything else is refused with CONNACK 2
 *   (identifier rejected): a device cannot use another device's id, or the hub's, to end its
 *   connection (and fire its Last Will) or to take over its session and queued messages.
 *   Sessions are thereby per device; a device reconnecting takes over its own.
 * - An empty client id with clean=false is refused with CONNACK 2 (MQTT-3.1.3-8).
 * - A Last Will, if any, must be the device's own `status` topic: refused at CONNECT with
 *   CONNACK 5 (not authorised), not when it would fire.
 * - The keepalive must be between 1 s and the maximum (MQTT_MAX_KEEPALIVE): keepalive 0, or a
 *   longer one, would let a half-open link hold its session for ever (or for hours). MQTT 3.1.1
 *   has no code for it; like Mosquitto's `max_keepalive`, it is CONNACK 2.
 */
import { deviceTopic } from '../contracts/topics.ts';
import type { RegisteredDevice } from '../registry/registry.ts';

/** What of a CONNECT packet the checks read. */
export interface ConnectRequest {
  clientId: string;
  clean: boolean;
  keepaliveSec: number;
  willTopic?: string;
}

/** Why a CONNECT was refused, as counted in `compound_hub_broker_refused_total{action="connect"}`. */
export type ConnectRefusalReason = 'bad_credentials' | 'empty_client_id' | 'keepalive' | 'client_id' | 'will_topic';

export interface ConnectRefusal {
  /** CONNACK return code (MQTT 3.1.1 §3.2.2.3): 2 identifier rejected, 4 bad user name or password, 5 not authorised. */
  returnCode: 2 | 4 | 5;
  reason: ConnectRefusalReason;
  detail: string;
}

export const IDENTIFIER_REJECTED = 2;
export const BAD_USERNAME_OR_PASSWORD = 4;
export const NOT_AUTHORIZED = 5;

/** Checks that need no credentials; `maxKeepaliveSec` undefined: any keepalive, 0 included. */
export function checkSession(request: ConnectRequest, maxKeepaliveSec: number | undefined): ConnectRefusal | undefined {
  if (request.clientId === '' && !request.clean) {
    return { returnCode: IDENTIFIER_REJECTED, reason: 'empty_client_id', detail: 'an empty client id needs a clean session (MQTT-3.1.3-8)' };
  }
  if (maxKeepaliveSec !== undefined && (request.keepaliveSec === 0 || request.keepaliveSec > maxKeepaliveSec)) {
    return {
      returnCode: IDENTIFIER_REJECTED,
      reason: 'keepalive',
      detail: `keepalive ${request.keepaliveSec} s: must be 1..${maxKeepaliveSec} s (MQTT_MAX_KEEPALIVE)`,
    };
  }
  return undefined;
}

/** The client id a device's session has: its key. */
export function boundClientId(device: Pick<RegisteredDevice, 'key'>): string {
  return device.key;
}

/** Checks of the authenticated device's client id and Last Will. */
export function checkIdentity(topicRoot: string, device: RegisteredDevice, request: ConnectRequest): ConnectRefusal | undefined {
  if (request.clientId !== '' && request.clientId !== boundClientId(device)) {
    return {
      returnCode: IDENTIFIER_REJECTED,
      reason: 'client_id',
      detail: `client id ${JSON.stringify(request.clientId.slice(0, 200))} is not the device's own (${boundClientId(device)})`,
    };
  }
  if (request.willTopic !== undefined && request.willTopic !== deviceTopic(topicRoot, device, 'status')) {
    return { returnCode: NOT_AUTHORIZED, reason: 'will_topic', detail: `Last Will on ${request.willTopic.slice(0, 200)}, not the device's status topic` };
  }
  return undefined;
}
