/**
 * In-memory index of the device registry: O(1) lookup of a device by its key, and
 * the place hierarchy (district → street → community → compound) for scoping.
 */
import { type DeviceRef, type DeviceType, deviceKey } from '../contracts/device-types.ts';
import type { DeviceTags } from '../contracts/readings.ts';
import type { CompoundArea, RegistryCompound, RegistryData, RegistryDevice } from '../config/registry.schema.ts';
import { HubError } from '../errors.ts';
import type { SitePlan } from '../contracts/site-plan.ts';

export interface RegisteredDevice extends DeviceRef {
  key: string;
  name?: string;
  tags: DeviceTags;
  /** The registry's names of the building and zone the tags name, when it has them. */
  placeNames?: { building?: string; zone?: string };
  secretSha256: string;
  reportIntervalSec: number;
  position?: { x: number; y: number };
}

export interface CompoundInfo {
  id: string;
  name: string;
  grid?: string;
  district: { id: string; name: string };
  street: { id: string; name: string };
  community: { id: string; name: string };
  deviceCount: number;
  /** `city` or `county`: sets the rescue arrival deadline. */
  area: CompoundArea;
  /** Where the compound is (WGS-84), when the registry says. */
  location?: { lat: number; lon: number };
  /** The property desk's phone, when the registry says. */
  deskPhone?: string;
}

/** What the compound's site plan draws, kept apart from CompoundInfo (which live summaries carry). */
export interface CompoundSite {
  /** The registry's names of the compound's buildings and zones (tag → name). */
  buildings: Record<string, string>;
  zones: Record<string, string>;
  /** The site plan's geometry, when the registry has it. */
  sitePlan?: SitePlan;
}

export interface Registry {
  get(ref: DeviceRef): RegisteredDevice | undefined;
  getByKey(key: string): RegisteredDevice | undefined;
  devices(): Iterable<RegisteredDevice>;
  devicesOf(compound: string): readonly RegisteredDevice[];
  compounds(): CompoundInfo[];
  compound(id: string): CompoundInfo | undefined;
  /** The compound's site plan and place names. */
  siteOf(id: string): CompoundSite | undefined;
  readonly size: number;
}

function tagsOf(device: RegistryDevice): DeviceTags {
  const tags: DeviceTags = {};
  if (device.building) tags.building = device.building;
  if (device.zone) tags.zone = device.zone;
  return tags;
}

function placeNamesOf(device: RegistryDevice, compound: RegistryCompound): Pick<RegisteredDevice, 'placeNames'> {
  const building = device.building ? compound.buildings?.[device.building] : undefined;
  const zone = device.zone ? compound.zones?.[device.zone] : undefined;
  if (!building && !zone) return {};
  return { placeNames: { ...(building ? { building } : {}), ...(zone ? { zone } : {}) } };
}

export function buildRegistry(data: RegistryData): Registry {
  const byKey = new Map<string, RegisteredDevice>();
  const compounds = new Map<string, CompoundInfo>();
  const sites = new Map<string, CompoundSite>();
  const byCompound = new Map<string, RegisteredDevice[]>();
  const problems: string[] = [];

  for (const district of data.districts) {
    for (const street of district.streets) {
      for (const community of street.communities) {
        for (const compound of community.compounds) {
          if (compounds.has(compound.id)) problems.push(`compound ${compound.id}: defined twice`);
          const deviceIds = new Set<string>();
          for (const device of compound.devices) {
            if (deviceIds.has(device.id)) problems.push(`compound ${compound.id}: device ${device.id} defined twice`);
            deviceIds.add(device.id);
            const ref = { compound: compound.id, type: device.type as DeviceType, device: device.id };
            const key = deviceKey(ref);
            const registered: RegisteredDevice = {
              ...ref,
              key,
              name: device.name,
              tags: tagsOf(device),
              ...placeNamesOf(device, compound),
              secretSha256: device.secretSha256,
              reportIntervalSec: device.reportIntervalSec,
              position: device.position,
            };
            byKey.set(key, registered);
            byCompound.set(compound.id, [...(byCompound.get(compound.id) ?? []), registered]);
          }
          compounds.set(compound.id, {
            id: compound.id,
            name: compound.name,
            grid: compound.grid,
            district: { id: district.id, name: district.name },
            street: { id: street.id, name: street.name },
            community: { id: community.id, name: community.name },
            deviceCount: compound.devices.length,
            area: compound.area,
            ...(compound.location ? { location: compound.location } : {}),
            ...(compound.deskPhone ? { deskPhone: compound.deskPhone } : {}),
          });
          sites.set(compound.id, { buildings: compound.buildings ?? {}, zones: compound.zones ?? {}, ...(compound.sitePlan ? { sitePlan: compound.sitePlan } : {}) });
        }
      }
    }
  }
  if (problems.length) throw new HubError('REGISTRY_INVALID', problems.join('\n'));

  return {
    get: (ref) => byKey.get(deviceKey(ref)),
    getByKey: (key) => byKey.get(key),
    devices: () => byKey.values(),
    devicesOf: (compound) => byCompound.get(compound) ?? [],
    compounds: () => [...compounds.values()],
    compound: (id) => compounds.get(id),
    siteOf: (id) => sites.get(id),
    get size() {
      return byKey.size;
    },
  };
}

/** What a registry change did to the devices. */
export interface RegistryChange {
  added: RegisteredDevice[];
  /** Registered before and now, with something different (name, building, secret, …). */
  changed: RegisteredDevice[];
  /** Keys no longer registered (retired). */
  removed: string[];
}

/** A registry that administration changes while the hub runs: readers always see one whole registry, the latest. */
export interface LiveRegistry extends Registry {
  /** Takes a new registry (checked like the first); returns what changed. */
  replace(data: RegistryData): RegistryChange;
}

const sameDevice = (a: RegisteredDevice, b: RegisteredDevice) => JSON.stringify(a) === JSON.stringify(b);

export function liveRegistry(data: RegistryData): LiveRegistry {
  let current = buildRegistry(data);
  return {
    get: (ref) => current.get(ref),
    getByKey: (key) => current.getByKey(key),
    devices: () => current.devices(),
    devicesOf: (compound) => current.devicesOf(compound),
    compounds: () => current.compounds(),
    compound: (id) => current.compound(id),
    siteOf: (id) => current.siteOf(id),
    get size() {
      return current.size;
    },
    replace(next) {
      const built = buildRegistry(next);
      const change: RegistryChange = { added: [], changed: [], removed: [] };
      for (const device of built.devices()) {
        const before = current.getByKey(device.key);
        if (!before) change.added.push(device);
        else if (!sameDevice(before, device)) change.changed.push(device);
      }
      for (const device of current.devices()) if (!built.getByKey(device.key)) change.removed.push(device.key);
      current = built;
      return change;
    },
  };
}
