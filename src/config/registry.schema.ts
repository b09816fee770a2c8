/**
 * Device registry file (JSON): districts → streets → communities → compounds → devices.
 * Per-device credentials are stored as SHA-256 of a high-entropy device secret
 * (devices authenticate on every reconnect, so a fast hash of a random secret is the
 * right tool here; human passwords are a different matter).
 */
import { z } from 'zod';
import { ID_PATTERN } from '../contracts/ids.ts';
import { DEVICE_TYPES } from '../contracts/device-types.ts';
import { sitePlanSchema } from './site-plan.schema.ts';

const id = z.string().regex(ID_PATTERN, 'must match ^[a-z0-9][a-z0-9_-]{0,63}$');
const name = z.string().min(1).max(100);
/** Building/zone names become InfluxDB tags: no backslashes or control characters. */
const tagValue = z.string().min(1).max(64).regex(/^[^\\\u0000-\u001f]+$/, 'must not contain backslashes or control characters');

export const COMPOUND_AREAS = ['city', 'county'] as const;
export type CompoundArea = (typeof COMPOUND_AREAS)[number];
/** A point on Earth (WGS-84 degrees), as browsers' geolocation gives it. */
export const geoPointSchema = z.strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) });

export const registryDeviceSchema = z.strictObject({
  id,
  type: z.enum(DEVICE_TYPES),
  name: name.optional(),
  building: tagValue.optional(),
  zone: tagValue.optional(),
  /** hex SHA-256 of the device's MQTT password. */
  secretSha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex chars (sha256 of the secret)'),
  /** Expected report interval; used by absence rules and the demo simulators. */
  reportIntervalSec: z.number().int().min(1).max(86_400).default(60),
  /** Position on the compound's site plan, 0..100 in both axes. */
  position: z.strictObject({ x: z.number().min(0).max(100), y: z.number().min(0).max(100) }).optional(),
});

export const compoundSchema = z.strictObject({
  id,
  name,
  grid: id.optional(),
  /** What people call the buildings and zones the devices' tags name: `{ "b1": "1号楼" }`, `{ "north": "北区" }`. */
  buildings: z.record(tagValue, name).optional(),
  zones: z.record(tagValue, name).optional(),
  /**
   * `city` (a city with districts) or `county` (elsewhere): sets the rescue arrival deadline
   * (TSG T5002: 30 min and 1 h). Default city.
   */
  area: z.enum(COMPOUND_AREAS).default('city'),
  /** Where the compound is (WGS-84 degrees): arrival check-ins are measured from it. Not the devices' site-plan `position`. */
  location: geoPointSchema.optional(),
  /** The property desk's phone (物业服务台), for the worker's call button (`tel:`): digits, optionally `+`, spaces, dashes. */
  deskPhone: z.string().regex(/^\+?[0-9][0-9 -]{2,30}[0-9]$/, 'a phone number: digits, optionally + and spaces or dashes').optional(),
  /** The site plan's geometry (buildings, zones, roads, gates in 0..100 plan coordinates): site-plan.schema.ts. */
  sitePlan: sitePlanSchema.optional(),
  devices: z.array(registryDeviceSchema).default([]),
});

export const communitySchema = z.strictObject({ id, name, compounds: z.array(compoundSchema) });
export const streetSchema = z.strictObject({ id, name, communities: z.array(communitySchema) });
export const districtSchema = z.strictObject({ id, name, streets: z.array(streetSchema) });

export const registrySchema = z.strictObject({ districts: z.array(districtSchema) });

export type RegistryFile = z.input<typeof registrySchema>;
export type RegistryData = z.output<typeof registrySchema>;
export type RegistryDevice = z.output<typeof registryDeviceSchema>;
export type RegistryCompound = z.output<typeof compoundSchema>;
