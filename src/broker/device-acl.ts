/**
 * Who may connect, publish and subscribe on the embedded broker. Pure functions over
 * the registry, so the rules are tested without a socket: a device authenticates as
 * username `compound/type/device` with its secret, publishes only its own channel
 * topics and subscribes only under its own topic prefix.
 */
import { DEVICE_CHANNELS, deviceTopicPrefix } from '../contracts/topics.ts';
import { verifyDeviceSecret } from '../contracts/credentials.ts';
import type { Registry, RegisteredDevice } from '../registry/registry.ts';

export function authenticateDevice(
  registry: Registry,
  username: string | undefined,
  password: Buffer | undefined,
): RegisteredDevice | undefined {
  if (!username || !password) return undefined;
  const device = registry.getByKey(username);
  if (!device) return undefined;
  return verifyDeviceSecret(password.toString('utf8'), device.secretSha256) ? device : undefined;
}

/**
 * The device a verified client certificate names (`certifiedKey`, its CN; see listeners.ts), if
 * it is registered. The certificate stands in for the secret; a username, if given, must name
 * the same device, and a password, if given, must be its secret.
 */
export function authenticateByCertificate(
  registry: Registry,
  certifiedKey: string,
  username: string | undefined,
  password: Buffer | undefined,
): RegisteredDevice | undefined {
  const device = registry.getByKey(certifiedKey);
  if (!device) return undefined;
  if (username !== undefined && username !== '' && username !== device.key) return undefined;
  if (password !== undefined && !verifyDeviceSecret(password.toString('utf8'), device.secretSha256)) return undefined;
  return device;
}

export function mayPublish(topicRoot: string, device: RegisteredDevice, topic: string): boolean {
  const prefix = deviceTopicPrefix(topicRoot, device);
  if (!topic.startsWith(prefix)) return false;
  return (DEVICE_CHANNELS as readonly string[]).includes(topic.slice(prefix.length));
}

export function maySubscribe(topicRoot: string, device: RegisteredDevice, filter: string): boolean {
  const prefix = deviceTopicPrefix(topicRoot, device);
  // `$share/…`, `#`, `+` at or above the device's own level all reach other devices.
  return filter.startsWith(prefix) && !filter.slice(0, prefix.length).includes('+');
}
