/**
 * Devices of a compound (admin, or a manager of the compound): add one or a CSV file of them,
 * change names and tags, retire, rotate the secret. A device's secret is 32 random bytes
 * (base64url), shown once; the state keeps its SHA-256 (hex of the secret's UTF-8 bytes, as the
 * broker checks it: contracts/credentials.ts). Each change goes to the state first, then the
 * registry is rebuilt (a device added can connect at once; a retired one, or one whose secret
 * was rotated, is cut off at once).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parse as parseCsv } from 'csv-parse/sync';
import { HubError } from '../errors.ts';
import { DEVICE_TYPES, deviceKey, isDeviceType } from '../contracts/device-types.ts';
import { hashDeviceSecret } from '../contracts/credentials.ts';
import { DEVICE_CSV_COLUMNS, type AdminDevice, type CreatedDevicesAnswer, type DevicePatch, type Issue, type NewDeviceBody } from '../contracts/admin.ts';
import { registryDeviceSchema } from '../config/registry.schema.ts';
import type { StoredDevice } from '../state/state.types.ts';
import type { AuditActor } from '../audit/audit.log.ts';
import type { AdminDeps } from './admin.types.ts';
import { parseWith, ValidationError, zodIssues } from './issues.ts';
import { CHANGED, changedAnything, changes, entry } from './audit.diff.ts';

/** A CSV import: at most this many rows and bytes. */
export const IMPORT_MAX_ROWS = 5000;
export const IMPORT_MAX_BYTES = 1024 * 1024;

type NewDevice = Omit<StoredDevice, 'createdAt' | 'updatedAt' | 'retiredAt'>;

/** A new device secret: 32 random bytes, base64url (43 characters). */
export function newDeviceSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function adminDevice(d: StoredDevice): AdminDevice {
  return {
    compound: d.compound,
    type: d.type,
    id: d.id,
    key: deviceKey({ compound: d.compound, type: d.type, device: d.id }),
    ...(d.name !== undefined ? { name: d.name } : {}),
    ...(d.building !== undefined ? { building: d.building } : {}),
    ...(d.zone !== undefined ? { zone: d.zone } : {}),
    reportIntervalSec: d.reportIntervalSec,
    ...(d.position ? { position: { x: d.position.x, y: d.position.y } } : {}),
    ...(d.retiredAt !== undefined ? { retiredAt: d.retiredAt } : {}),
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

const keyOf = (d: { compound: string; type: StoredDevice['type']; id: string }) => deviceKey({ compound: d.compound, type: d.type, device: d.id });
/** The device as the audit log compares it: without its hash and timestamps. */
const audited = (d: Partial<StoredDevice>) => {
  const { secretSha256: _s, createdAt: _c, updatedAt: _u, ...rest } = d;
  return rest;
};

export class DevicesAdmin {
  readonly #deps: AdminDeps;

  constructor(deps: AdminDeps) {
    this.#deps = deps;
  }

  /** Every device of the compound, retired ones too. */
  async list(compound: string): Promise<AdminDevice[]> {
    await this.#compound(compound);
    const devices = await this.#deps.state.places.devicesOf(compound);
    return devices.map(adminDevice).sort((a, b) => a.key.localeCompare(b.key));
  }

  /** Adds one device; its secret is in the answer, and nowhere else. */
  async add(compound: string, body: NewDeviceBody, by: AuditActor): Promise<CreatedDevicesAnswer> {
    await this.#compound(compound);
    const secret = newDeviceSecret();
    const device: NewDevice = { compound, ...parseWith(registryDeviceSchema, { ...body, secretSha256: hashDeviceSecret(secret) }, 'BAD_REQUEST', 'device') };
    const existing = await this.#deps.state.places.getDevice(compound, device.type, device.id);
    if (existing) {
      const key = keyOf(device);
      throw new HubError('CONFLICT', `device ${key} exists already${existing.retiredAt !== undefined ? ' (retired)' : ''}`, { params: { device: key } });
    }
    return this.#insert([{ device, secret }], by);
  }

  /**
   * Adds the devices of a CSV file (header: some of DEVICE_CSV_COLUMNS, `type` and `id`
   * required), all or none: every row is checked first, and a file with any row wrong is
   * refused with the issues of each row. UTF-8 (with or without BOM) or GB18030/GBK (what Excel
   * writes on a Chinese Windows).
   */
  async importCsv(compound: string, file: Buffer | string, by: AuditActor): Promise<CreatedDevicesAnswer> {
    await this.#compound(compound);
    const bytes = typeof file === 'string' ? Buffer.from(file, 'utf8') : file;
    if (bytes.length > IMPORT_MAX_BYTES) throw new HubError('BAD_REQUEST', `the file is over ${IMPORT_MAX_BYTES} bytes: split it`, { params: { maxBytes: IMPORT_MAX_BYTES } });
    const records = readCsv(decode(bytes));
    const [header, ...rows] = records;
    if (!header) throw new ValidationError('BAD_REQUEST', 'csv', [{ path: 'header', message: `the file is empty: expected a header line ${DEVICE_CSV_COLUMNS.join(',')}` }]);
    const columns = header.map((h) => h.trim());
    const headerIssues: Issue[] = [];
    columns.forEach((c, i) => {
      if (!(DEVICE_CSV_COLUMNS as readonly string[]).includes(c)) headerIssues.push({ path: `header.${i}`, message: `unknown column "${c}" (columns: ${DEVICE_CSV_COLUMNS.join(', ')})` });
      else if (columns.indexOf(c) !== i) headerIssues.push({ path: `header.${i}`, message: `column "${c}" is there twice` });
    });
    for (const required of ['type', 'id']) if (!columns.includes(required)) headerIssues.push({ path: 'header', message: `the column "${required}" is missing` });
    if (headerIssues.length) throw new ValidationError('BAD_REQUEST', 'csv header', headerIssues);
    if (!rows.length) throw new ValidationError('BAD_REQUEST', 'csv', [{ path: 'rows', message: 'the file has a header but no devices' }]);
    if (rows.length > IMPORT_MAX_ROWS) throw new HubError('BAD_REQUEST', `the file has ${rows.length} rows, at most ${IMPORT_MAX_ROWS} are taken at once: split it`, { params: { maxRows: IMPORT_MAX_ROWS } });

    const existing = new Map((await this.#deps.state.places.devicesOf(compound)).map((d) => [`${d.type}/${d.id}`, d]));
    const seen = new Map<string, number>();
    const rowIssues: Array<{ row: number; issues: Issue[] }> = [];
    const fresh: Array<{ device: NewDevice; secret: string }> = [];
    rows.forEach((cells, i) => {
      const row = i + 1;
      const issues: Issue[] = [];
      if (cells.length !== columns.length) {
        issues.push({ path: '(row)', message: `expected ${columns.length} cells (${columns.join(',')}), found ${cells.length}` });
        rowIssues.push({ row, issues });
        return;
      }
      const cell = Object.fromEntries(columns.map((c, j) => [c, cells[j]!.trim()])) as Partial<Record<(typeof DEVICE_CSV_COLUMNS)[number], string>>;
      const body: Record<string, unknown> = {};
      for (const f of ['type', 'id', 'name', 'building', 'zone'] as const) if (cell[f]) body[f] = cell[f];
      const number = (column: 'reportIntervalSec' | 'x' | 'y') => {
        const text = cell[column];
        if (!text) return undefined;
        const n = Number(text);
        if (Number.isFinite(n)) return n;
        issues.push({ path: column, message: `expected a number, found "${text}"` });
        return null;
      };
      const interval = number('reportIntervalSec');
      if (interval !== undefined && interval !== null) body.reportIntervalSec = interval;
      const x = number('x');
      const y = number('y');
      if ((x === undefined) !== (y === undefined)) issues.push({ path: x === undefined ? 'x' : 'y', message: 'give both x and y, or neither' });
      else if (typeof x === 'number' && typeof y === 'number') body.position = { x, y };
      const secret = newDeviceSecret();
      const parsed = registryDeviceSchema.safeParse({ ...body, secretSha256: hashDeviceSecret(secret) });
      if (!parsed.success) {
        // `position.x` is the column `x` in the file.
        issues.push(...zodIssues(parsed.error.issues).map((is) => ({ ...is, path: is.path.replace(/^position\./, '') })));
      } else if (!issues.length) {
        const name = `${parsed.data.type}/${parsed.data.id}`;
        const twin = seen.get(name);
        const old = existing.get(name);
        if (twin !== undefined) issues.push({ path: 'id', message: `device ${name} is in row ${twin} too` });
        else if (old) issues.push({ path: 'id', message: `device ${compound}/${name} exists already${old.retiredAt !== undefined ? ' (retired)' : ''}` });
        seen.set(name, twin ?? row);
        if (!issues.length) fresh.push({ device: { compound, ...parsed.data }, secret });
      }
      if (issues.length) rowIssues.push({ row, issues });
    });
    if (rowIssues.length) {
      const flat = rowIssues.flatMap((r) => r.issues.map((is) => ({ path: `row ${r.row}: ${is.path}`, message: is.message })));
      throw new ValidationError('BAD_REQUEST', `${rowIssues.length} of ${rows.length} rows are wrong, nothing was added`, flat, { rows: rowIssues });
    }
    // One audit entry for the file (not one per row: an import is one act, and up to 5000 rows).
    return this.#insert(fresh, by, { action: 'devices_imported', compound });
  }

  async update(compound: string, type: string, id: string, patch: DevicePatch, by: AuditActor): Promise<AdminDevice> {
    const current = await this.#device(compound, type, id);
    if (current.retiredAt !== undefined) throw new HubError('CONFLICT', `device ${keyOf(current)} is retired`, { params: { device: keyOf(current) } });
    const { createdAt: _c, updatedAt: _u, compound: _compound, retiredAt: _r, ...fields } = current;
    const merged: Record<string, unknown> = { ...fields };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete merged[k];
      else if (v !== undefined) merged[k] = v;
    }
    const valid = parseWith(registryDeviceSchema, merged, 'BAD_REQUEST', 'device');
    const next: Omit<StoredDevice, 'createdAt' | 'updatedAt'> = { ...valid, compound };
    const diff = changes(audited(current), audited(next));
    if (!changedAnything(diff)) return adminDevice(current);
    const stored = await this.#deps.state.places.updateDevice(next, this.#deps.now());
    const key = keyOf(stored);
    await this.#deps.hooks.registryChanged([key]);
    this.#deps.audit.record(entry(by, { action: 'device_updated', target: `device:${key}`, compound, ...diff }));
    return adminDevice(stored);
  }

  /** Retires the device: refused at CONNECT from now on, kept for its history. Again: unchanged. */
  async retire(compound: string, type: string, id: string, by: AuditActor): Promise<AdminDevice> {
    const current = await this.#device(compound, type, id);
    if (current.retiredAt !== undefined) return adminDevice(current);
    const { createdAt: _c, updatedAt: _u, ...fields } = current;
    const at = this.#deps.now();
    const stored = await this.#deps.state.places.updateDevice({ ...fields, retiredAt: at }, at);
    const key = keyOf(stored);
    await this.#deps.hooks.registryChanged([key]);
    this.#deps.audit.record(entry(by, { action: 'device_retired', target: `device:${key}`, compound, before: { retiredAt: null }, after: { retiredAt: at } }));
    return adminDevice(stored);
  }

  /** A new secret (in the answer, once); the old one stops working at once. */
  async rotateSecret(compound: string, type: string, id: string, by: AuditActor): Promise<CreatedDevicesAnswer> {
    const current = await this.#device(compound, type, id);
    const key = keyOf(current);
    if (current.retiredAt !== undefined) throw new HubError('CONFLICT', `device ${key} is retired`, { params: { device: key } });
    const { createdAt: _c, updatedAt: _u, ...fields } = current;
    const secret = newDeviceSecret();
    const stored = await this.#deps.state.places.updateDevice({ ...fields, secretSha256: hashDeviceSecret(secret) }, this.#deps.now());
    await this.#deps.hooks.registryChanged([key]);
    this.#deps.audit.record(entry(by, { action: 'device_secret_rotated', target: `device:${key}`, compound, before: { secretSha256: CHANGED }, after: { secretSha256: CHANGED } }));
    return { devices: [{ device: adminDevice(stored), secret }] };
  }

  async #insert(fresh: Array<{ device: NewDevice; secret: string }>, by: AuditActor, imported?: { action: 'devices_imported'; compound: string }): Promise<CreatedDevicesAnswer> {
    const { state, hooks, audit, now } = this.#deps;
    const at = now();
    await state.places.insertDevices(
      fresh.map((f) => f.device),
      at,
    );
    const keys = fresh.map((f) => keyOf(f.device));
    await hooks.registryChanged(keys);
    if (imported) {
      audit.record(entry(by, { action: imported.action, target: `compound:${imported.compound}`, compound: imported.compound, after: { count: keys.length, devices: keys }, note: `csv import of ${keys.length}` }));
    } else {
      for (const { device } of fresh) audit.record(entry(by, { action: 'device_added', target: `device:${keyOf(device)}`, compound: device.compound, ...changes(undefined, audited(device)) }));
    }
    return { devices: fresh.map(({ device, secret }) => ({ device: adminDevice({ ...device, createdAt: at, updatedAt: at }), secret })) };
  }

  async #compound(id: string): Promise<void> {
    if (!(await this.#deps.state.places.getCompound(id))) throw new HubError('NOT_FOUND', `compound ${id} does not exist`, { params: { compound: id } });
  }

  async #device(compound: string, type: string, id: string): Promise<StoredDevice> {
    const device = isDeviceType(type) ? await this.#deps.state.places.getDevice(compound, type, id) : undefined;
    if (!device) throw new HubError('NOT_FOUND', `device ${compound}/${type}/${id} does not exist`, { params: { device: `${compound}/${type}/${id}` } });
    return device;
  }
}

/** UTF-8 when it is (a BOM is dropped by the parser); else GB18030, a superset of GBK. */
function decode(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

function readCsv(text: string): string[][] {
  try {
    return parseCsv(text, { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new ValidationError('BAD_REQUEST', 'csv', [{ path: line ? `line ${line}` : '(file)', message: (error as Error).message }]);
  }
}

/** The body of `POST …/devices` (unknown fields refused). */
export const newDeviceBodySchema = z.strictObject({
  type: z.enum(DEVICE_TYPES),
  id: registryDeviceSchema.shape.id,
  name: registryDeviceSchema.shape.name,
  building: registryDeviceSchema.shape.building,
  zone: registryDeviceSchema.shape.zone,
  reportIntervalSec: z.number().int().min(1).max(86_400).optional(),
  position: registryDeviceSchema.shape.position,
});

/** The body of `PATCH /api/admin/devices/…`: null clears a field. */
export const devicePatchSchema = z.strictObject({
  name: registryDeviceSchema.shape.name,
  building: registryDeviceSchema.shape.building.unwrap().nullable().optional(),
  zone: registryDeviceSchema.shape.zone.unwrap().nullable().optional(),
  reportIntervalSec: z.number().int().min(1).max(86_400).optional(),
  position: registryDeviceSchema.shape.position.unwrap().nullable().optional(),
});
