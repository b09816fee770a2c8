/**
 * Places, compounds and devices (places, compounds, devices tables). The registry the hub runs
 * on is read back whole (`registry()`, checked by registrySchema) and replaced whole by a seed
 * sync (`replaceRegistry`); administration adds and changes single rows. Devices are never
 * deleted: a device taken out is retired (refused at CONNECT, kept for history).
 *
 * No foreign keys between these tables: a compound left out of a seed is removed while its
 * retired devices stay, and places may be written in any order.
 */
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import { HubError } from '../errors.ts';
import { formatIssues } from '../config/config.loader.ts';
import { registrySchema, type RegistryData, type RegistryDevice } from '../config/registry.schema.ts';
import { fromJson, isUniqueViolation, toJson } from './dialect.ts';
import type { CompoundsTable, Database, DevicesTable, PlacesTable } from './schema.ts';
import type { Place, PlacesRepo, StoredCompound, StoredDevice } from './state.types.ts';

type Db = Kysely<Database> | Transaction<Database>;
type NewDevice = Omit<StoredDevice, 'createdAt' | 'updatedAt' | 'retiredAt'>;

export const deviceKeyOf = (d: { compound: string; type: string; id: string }) => `${d.compound}/${d.type}/${d.id}`;

/** Rows per multi-row insert (well under both engines' bound-parameter limits). */
const CHUNK = 200;

function toPlace(row: Selectable<PlacesTable>): Place {
  return { kind: row.kind as Place['kind'], id: row.id, name: row.name, ...(row.parent !== null ? { parent: row.parent } : {}) };
}

function toCompound(row: Selectable<CompoundsTable>): StoredCompound {
  const buildings = fromJson<Record<string, string>>(row.buildings);
  const zones = fromJson<Record<string, string>>(row.zones);
  const contacts = fromJson<NonNullable<StoredCompound['contacts']>>(row.contacts);
  const sitePlan = fromJson<NonNullable<StoredCompound['sitePlan']>>(row.site_plan);
  return {
    id: row.id,
    community: row.community,
    name: row.name,
    ...(row.grid !== null ? { grid: row.grid } : {}),
    ...(buildings ? { buildings } : {}),
    ...(zones ? { zones } : {}),
    ...(contacts ? { contacts } : {}),
    ...(row.area === 'county' ? { area: 'county' as const } : {}),
    ...(row.lat !== null && row.lon !== null ? { location: { lat: row.lat, lon: row.lon } } : {}),
    ...(row.desk_phone !== null ? { deskPhone: row.desk_phone } : {}),
    ...(sitePlan ? { sitePlan } : {}),
  };
}

function toRegistryDevice(row: Selectable<DevicesTable>): RegistryDevice {
  return {
    id: row.id,
    type: row.type as RegistryDevice['type'],
    ...(row.name !== null ? { name: row.name } : {}),
    ...(row.building !== null ? { building: row.building } : {}),
    ...(row.zone !== null ? { zone: row.zone } : {}),
    secretSha256: row.secret_sha256,
    reportIntervalSec: row.report_interval_sec,
    ...(row.position_x !== null && row.position_y !== null ? { position: { x: row.position_x, y: row.position_y } } : {}),
  };
}

function toDevice(row: Selectable<DevicesTable>): StoredDevice {
  return {
    compound: row.compound,
    ...toRegistryDevice(row),
    ...(row.retired_at !== null ? { retiredAt: row.retired_at } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The columns a device's fields fill (not its identity, order or times). */
function deviceFields(d: Omit<RegistryDevice, 'id' | 'type'>) {
  return {
    name: d.name ?? null,
    building: d.building ?? null,
    zone: d.zone ?? null,
    secret_sha256: d.secretSha256,
    report_interval_sec: d.reportIntervalSec,
    position_x: d.position?.x ?? null,
    position_y: d.position?.y ?? null,
  };
}

function compoundFields(c: Omit<StoredCompound, 'id' | 'contacts'>) {
  return {
    community: c.community,
    name: c.name,
    grid: c.grid ?? null,
    buildings: toJson(c.buildings),
    zones: toJson(c.zones),
    // A city compound is stored as null: the default, as rows from before migration 0002 say.
    area: c.area === 'county' ? 'county' : null,
    lat: c.location?.lat ?? null,
    lon: c.location?.lon ?? null,
    desk_phone: c.deskPhone ?? null,
    site_plan: toJson(c.sitePlan),
  };
}

const sameValues = (a: Record<string, unknown>, b: Record<string, unknown>) => Object.keys(a).every((k) => a[k] === b[k]);

async function nextPosition(db: Db, table: 'places' | 'compounds', kind?: string): Promise<number> {
  let query = db.selectFrom(table).select((eb) => eb.fn.max('position').as('top'));
  if (table === 'places' && kind !== undefined) query = query.where('kind', '=', kind);
  const row = await query.executeTakeFirst();
  return row?.top === null || row?.top === undefined ? 0 : Number(row.top) + 1;
}

async function any(db: Db, table: 'places' | 'compounds' | 'users' | 'docs'): Promise<boolean> {
  const row = await db.selectFrom(table).select((eb) => eb.lit(1).as('one')).limit(1).executeTakeFirst();
  return row !== undefined;
}

export function placesRepo(db: Kysely<Database>): PlacesRepo {
  return {
    async registry() {
      // One snapshot of the three tables (PostgreSQL: repeatable read; SQLite: a read transaction).
      const { places, compounds, devices } = await db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => ({
          places: await trx.selectFrom('places').selectAll().orderBy('position').orderBy('id').execute(),
          compounds: await trx.selectFrom('compounds').selectAll().orderBy('position').orderBy('id').execute(),
          devices: await trx.selectFrom('devices').selectAll().where('retired_at', 'is', null).orderBy('compound').orderBy('position').orderBy('type').orderBy('id').execute(),
        }));
      const children = (kind: string, parent: string) => places.filter((p) => p.kind === kind && p.parent === parent);
      const data = {
        districts: places
          .filter((p) => p.kind === 'district')
          .map((d) => ({
            id: d.id,
            name: d.name,
            streets: children('street', d.id).map((s) => ({
              id: s.id,
              name: s.name,
              communities: children('community', s.id).map((m) => ({
                id: m.id,
                name: m.name,
                compounds: compounds
                  .filter((c) => c.community === m.id)
                  .map((row) => {
                    const { community: _community, contacts: _contacts, ...compound } = toCompound(row);
                    return { ...compound, devices: devices.filter((dev) => dev.compound === row.id).map(toRegistryDevice) };
                  }),
              })),
            })),
          })),
      };
      const parsed = registrySchema.safeParse(data);
      if (!parsed.success) throw new HubError('REGISTRY_INVALID', `the registry in the operational database:\n${formatIssues(parsed.error.issues)}`);
      return parsed.data;
    },

    async isEmpty() {
      const kept = await Promise.all([any(db, 'places'), any(db, 'compounds'), any(db, 'users'), any(db, 'docs')]);
      return !kept.some(Boolean);
    },

    async upsertPlace(place, at) {
      const position = await nextPosition(db, 'places', place.kind);
      await db
        .insertInto('places')
        .values({ kind: place.kind, id: place.id, name: place.name, parent: place.parent ?? null, position, created_at: at, updated_at: at })
        .onConflict((oc) => oc.columns(['kind', 'id']).doUpdateSet({ name: place.name, parent: place.parent ?? null, updated_at: at }))
        .execute();
    },

    async upsertCompound(compound, at) {
      const position = await nextPosition(db, 'compounds');
      const values = { ...compoundFields(compound), contacts: toJson(compound.contacts) };
      await db
        .insertInto('compounds')
        .values({ id: compound.id, ...values, position, created_at: at, updated_at: at })
        .onConflict((oc) => oc.column('id').doUpdateSet({ ...values, updated_at: at }))
        .execute();
    },

    async getCompound(id) {
      const row = await db.selectFrom('compounds').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toCompound(row);
    },

    async getDevice(compound, type, id) {
      const row = await db
        .selectFrom('devices')
        .selectAll()
        .where('compound', '=', compound)
        .where('type', '=', type)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toDevice(row);
    },

    async devicesOf(compound) {
      const rows = await db.selectFrom('devices').selectAll().where('compound', '=', compound).orderBy('position').orderBy('type').orderBy('id').execute();
      return rows.map(toDevice);
    },

    async insertDevices(devices, at) {
      if (!devices.length) return;
      await db.transaction().execute(async (trx) => {
        const next = new Map<string, number>();
        for (const device of devices) {
          let position = next.get(device.compound);
          if (position === undefined) {
            const compound = await trx.selectFrom('compounds').select('id').where('id', '=', device.compound).executeTakeFirst();
            if (!compound) throw new HubError('NOT_FOUND', `compound ${device.compound} does not exist`, { params: { compound: device.compound } });
            const top = await trx
              .selectFrom('devices')
              .select((eb) => eb.fn.max('position').as('top'))
              .where('compound', '=', device.compound)
              .executeTakeFirst();
            position = top?.top === null || top?.top === undefined ? 0 : Number(top.top) + 1;
          }
          next.set(device.compound, position + 1);
          try {
            await trx
              .insertInto('devices')
              .values({ compound: device.compound, type: device.type, id: device.id, ...deviceFields(device), position, retired_at: null, created_at: at, updated_at: at })
              .execute();
          } catch (error) {
            const key = deviceKeyOf(device);
            if (isUniqueViolation(error)) throw new HubError('CONFLICT', `device ${key} exists already`, { cause: error, params: { device: key } });
            throw error;
          }
        }
      });
    },

    async updateDevice(device, at) {
      const row = await db
        .updateTable('devices')
        .set({ ...deviceFields(device), retired_at: device.retiredAt ?? null, updated_at: at })
        .where('compound', '=', device.compound)
        .where('type', '=', device.type)
        .where('id', '=', device.id)
        .returningAll()
        .executeTakeFirst();
      if (!row) {
        const key = deviceKeyOf(device);
        throw new HubError('NOT_FOUND', `device ${key} does not exist`, { params: { device: key } });
      }
      return toDevice(row);
    },

    async replaceRegistry(input, at) {
      const checked = registrySchema.safeParse(input);
      if (!checked.success) throw new HubError('REGISTRY_INVALID', `registry:\n${formatIssues(checked.error.issues)}`);
      const data: RegistryData = checked.data;
      await db.transaction().execute((trx) => replace(trx, data, at));
    },
  };
}

/** Writes what differs from `data`, removes places and compounds left out, retires devices left out. */
async function replace(trx: Transaction<Database>, data: RegistryData, at: number): Promise<void> {
  const places: Array<Omit<Selectable<PlacesTable>, 'created_at' | 'updated_at'>> = [];
  const compounds: Array<{ id: string; fields: ReturnType<typeof compoundFields>; position: number }> = [];
  const devices: Array<{ compound: string; type: string; id: string; fields: ReturnType<typeof deviceFields>; position: number }> = [];
  data.districts.forEach((d, i) => {
    places.push({ kind: 'district', id: d.id, name: d.name, parent: null, position: i });
    d.streets.forEach((s, j) => {
      places.push({ kind: 'street', id: s.id, name: s.name, parent: d.id, position: j });
      s.communities.forEach((m, k) => {
        places.push({ kind: 'community', id: m.id, name: m.name, parent: s.id, position: k });
        m.compounds.forEach((c) => {
          compounds.push({ id: c.id, fields: compoundFields({ ...c, community: m.id }), position: compounds.length });
          c.devices.forEach((dev, n) => devices.push({ compound: c.id, type: dev.type, id: dev.id, fields: deviceFields(dev), position: n }));
        });
      });
    });
  });

  // Places
  const storedPlaces = new Map((await trx.selectFrom('places').selectAll().execute()).map((p) => [`${p.kind}:${p.id}`, p]));
  const wantedPlaces = new Set<string>();
  for (const p of places) {
    const key = `${p.kind}:${p.id}`;
    wantedPlaces.add(key);
    const stored = storedPlaces.get(key);
    if (!stored) await trx.insertInto('places').values({ ...p, created_at: at, updated_at: at }).execute();
    else if (!sameValues({ name: p.name, parent: p.parent, position: p.position }, stored)) {
      await trx.updateTable('places').set({ name: p.name, parent: p.parent, position: p.position, updated_at: at }).where('kind', '=', p.kind).where('id', '=', p.id).execute();
    }
  }
  for (const [key, stored] of storedPlaces) {
    if (!wantedPlaces.has(key)) await trx.deleteFrom('places').where('kind', '=', stored.kind).where('id', '=', stored.id).execute();
  }

  // Compounds (contacts are not in the registry: kept as they are)
  const storedCompounds = new Map((await trx.selectFrom('compounds').selectAll().execute()).map((c) => [c.id, c]));
  for (const c of compounds) {
    const stored = storedCompounds.get(c.id);
    if (!stored) await trx.insertInto('compounds').values({ id: c.id, ...c.fields, contacts: null, position: c.position, created_at: at, updated_at: at }).execute();
    else if (!sameValues({ ...c.fields, position: c.position }, stored)) {
      await trx.updateTable('compounds').set({ ...c.fields, position: c.position, updated_at: at }).where('id', '=', c.id).execute();
    }
  }
  const wantedCompounds = new Set(compounds.map((c) => c.id));
  const goneCompounds = [...storedCompounds.keys()].filter((id) => !wantedCompounds.has(id));
  if (goneCompounds.length) {
    await trx.deleteFrom('compounds').where('id', 'in', goneCompounds).execute();
    // Its plan image goes with it: a compound later given the same id starts without one.
    await trx.deleteFrom('plan_images').where('compound', 'in', goneCompounds).execute();
  }

  // Devices
  const storedDevices = new Map((await trx.selectFrom('devices').selectAll().execute()).map((d) => [deviceKeyOf(d), d]));
  const fresh: Array<Insertable<DevicesTable>> = [];
  const wantedDevices = new Set<string>();
  for (const d of devices) {
    const key = deviceKeyOf(d);
    if (wantedDevices.has(key)) throw new HubError('CONFLICT', `device ${key} is listed twice`, { params: { device: key } });
    wantedDevices.add(key);
    const stored = storedDevices.get(key);
    if (!stored) {
      fresh.push({ compound: d.compound, type: d.type, id: d.id, ...d.fields, position: d.position, retired_at: null, created_at: at, updated_at: at });
    } else if (stored.retired_at !== null || !sameValues({ ...d.fields, position: d.position }, stored)) {
      await trx
        .updateTable('devices')
        .set({ ...d.fields, position: d.position, retired_at: null, updated_at: at })
        .where('compound', '=', d.compound)
        .where('type', '=', d.type)
        .where('id', '=', d.id)
        .execute();
    }
  }
  for (let i = 0; i < fresh.length; i += CHUNK) await trx.insertInto('devices').values(fresh.slice(i, i + CHUNK)).execute();
  for (const [key, stored] of storedDevices) {
    if (wantedDevices.has(key) || stored.retired_at !== null) continue;
    await trx
      .updateTable('devices')
      .set({ retired_at: at, updated_at: at })
      .where('compound', '=', stored.compound)
      .where('type', '=', stored.type)
      .where('id', '=', stored.id)
      .execute();
  }
}
