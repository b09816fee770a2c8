/** The device types the hub knows. Adding a type = adding it here and a schema in payloads.ts. */
export const DEVICE_TYPES = ['elevator', 'manhole', 'fire_lane', 'parking'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

export function isDeviceType(value: string): value is DeviceType {
  return (DEVICE_TYPES as readonly string[]).includes(value);
}

/** A device's identity, as carried by its topic and its registry entry. */
export interface DeviceRef {
  compound: string;
  type: DeviceType;
  device: string;
}

/** `compound/type/device`: the key used for maps, MQTT usernames and logs. */
export function deviceKey(ref: DeviceRef): string {
  return `${ref.compound}/${ref.type}/${ref.device}`;
}
