/**
 * The MQTT topic grammar (design.md §3). Every topic string in the hub and the
 * simulators is built and parsed here, and nowhere else.
 */
import { isValidId } from './ids.ts';
import { type DeviceRef, type DeviceType, isDeviceType } from './device-types.ts';

export const DEFAULT_TOPIC_ROOT = 'compounds';
export const HUB_SEGMENT = '_hub';
export const ALERTS_SEGMENT = 'alerts';

export const DEVICE_CHANNELS = ['telemetry', 'event', 'status'] as const;
export type DeviceChannel = (typeof DEVICE_CHANNELS)[number];

export type DeviceStatus = 'online' | 'offline';

export interface DeviceTopic extends DeviceRef {
  channel: DeviceChannel;
}

export type TopicParseError = 'bad_topic' | 'unknown_type';

export type TopicParseResult =
  | { ok: true; topic: DeviceTopic }
  | { ok: false; reason: TopicParseError; detail: string };

export function deviceTopic(root: string, ref: DeviceRef, channel: DeviceChannel): string {
  return `${root}/${ref.compound}/${ref.type}/${ref.device}/${channel}`;
}

/** Prefix a device may publish under: `root/compound/type/device/`. */
export function deviceTopicPrefix(root: string, ref: DeviceRef): string {
  return `${root}/${ref.compound}/${ref.type}/${ref.device}/`;
}

/** Subscriptions the hub needs to ingest every device channel. */
export function ingestSubscriptions(root: string): string[] {
  return DEVICE_CHANNELS.map((channel) => `${root}/+/+/+/${channel}`);
}

/** A compound's device topics: what the owner of its partition subscribes to (design.md §10). */
export function compoundSubscriptions(root: string, compound: string): string[] {
  return DEVICE_CHANNELS.map((channel) => `${root}/${compound}/+/+/${channel}`);
}

/** The hub's status (retained, its Last Will); an instance of a cluster has its own. */
export function hubStatusTopic(root: string, instance?: string): string {
  return instance ? `${root}/${HUB_SEGMENT}/${instance}/status` : `${root}/${HUB_SEGMENT}/status`;
}

/** The northbound MQTT bridge (docs/northbound.md): `{root}/_northbound/v{version}/{compound}/{kind}`; entries of no one compound (figures) under `_all`. */
export const NORTHBOUND_SEGMENT = '_northbound';
export const NORTHBOUND_ALL = '_all';
export function northboundTopic(root: string, version: number, compound: string | undefined, kind: string): string {
  return `${root}/${NORTHBOUND_SEGMENT}/v${version}/${compound ?? NORTHBOUND_ALL}/${kind}`;
}

export function alertTopic(root: string, compound: string, alertId: string): string {
  return `${root}/${compound}/${ALERTS_SEGMENT}/${alertId}`;
}

export function parseDeviceTopic(root: string, topic: string): TopicParseResult {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== root) {
    return { ok: false, reason: 'bad_topic', detail: `expected ${root}/{compound}/{type}/{device}/{channel}` };
  }
  const [, compound, type, device, channel] = parts as [string, string, string, string, string];
  if (!isValidId(compound)) return { ok: false, reason: 'bad_topic', detail: 'invalid compound id' };
  if (!isValidId(device)) return { ok: false, reason: 'bad_topic', detail: 'invalid device id' };
  if (!(DEVICE_CHANNELS as readonly string[]).includes(channel)) {
    return { ok: false, reason: 'bad_topic', detail: `unknown channel (expected ${DEVICE_CHANNELS.join('/')})` };
  }
  if (!isDeviceType(type)) return { ok: false, reason: 'unknown_type', detail: `unknown device type` };
  return { ok: true, topic: { compound, type: type as DeviceType, device, channel: channel as DeviceChannel } };
}
