/** Publishes as one device of a test fleet, with its own credentials, as a real device would (QoS 1, one connection per message). */
import mqtt from 'mqtt';
import { deviceTopic } from '../../src/contracts/topics.ts';
import type { FleetDevice } from '../../simulators/fleet.ts';

let seq = 1000;

export async function publishAs(brokerUrl: string, device: FleetDevice, kind: 'telemetry' | 'event', payload: object): Promise<void> {
  const client = await mqtt.connectAsync(brokerUrl, { username: device.key, clientId: device.key, password: device.secret, reconnectPeriod: 0 });
  try {
    await client.publishAsync(deviceTopic('compounds', device, kind), JSON.stringify({ ...payload, seq: ++seq }), { qos: 1 });
  } finally {
    await client.endAsync();
  }
}
