/**
 * A subscription's window of devices (SubscribeRequest.devices): checked as untrusted input and
 * turned into the page of devices it selects.
 */
import { DEVICE_TYPES, isDeviceType } from '../contracts/device-types.ts';
import { LIVE_PAGE_MAX, type DeviceWindow, type LivePage } from '../contracts/live-events.ts';
import type { RegisteredDevice, Registry } from '../registry/registry.ts';

const MAX_BUILDINGS = 500;
const MAX_QUERY = 64;

/** A window with its defaults filled in and its lists sorted. */
export interface NormalWindow {
  types: string[];
  buildings: string[];
  q: string;
  offset: number;
  limit: number;
}

/** The window checked and normalised, or what is wrong with it. */
export function parseDeviceWindow(raw: unknown): { ok: true; window: NormalWindow } | { ok: false; message: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, message: 'devices: an object { types?, buildings?, q?, offset?, limit? }' };
  const w = raw as Record<string, unknown>;
  const unknown = Object.keys(w).filter((k) => !['types', 'buildings', 'q', 'offset', 'limit'].includes(k));
  if (unknown.length) return { ok: false, message: `devices: unknown field ${unknown[0]}` };
  if (w.types !== undefined && !(Array.isArray(w.types) && w.types.length <= DEVICE_TYPES.length * 2 && w.types.every((t) => typeof t === 'string' && isDeviceType(t)))) {
    return { ok: false, message: `devices.types: a list of ${DEVICE_TYPES.join(', ')}` };
  }
  if (w.buildings !== undefined && !(Array.isArray(w.buildings) && w.buildings.length <= MAX_BUILDINGS && w.buildings.every((b) => typeof b === 'string' && b.length <= 64))) {
    return { ok: false, message: `devices.buildings: a list of at most ${MAX_BUILDINGS} building ids` };
  }
  if (w.q !== undefined && !(typeof w.q === 'string' && w.q.length <= MAX_QUERY)) return { ok: false, message: `devices.q: text of at most ${MAX_QUERY} characters` };
  const offset = w.offset ?? 0;
  if (!Number.isSafeInteger(offset) || (offset as number) < 0) return { ok: false, message: 'devices.offset: a whole number ≥ 0' };
  const limit = w.limit ?? LIVE_PAGE_MAX;
  if (!Number.isSafeInteger(limit) || (limit as number) < 1 || (limit as number) > LIVE_PAGE_MAX) return { ok: false, message: `devices.limit: 1 … ${LIVE_PAGE_MAX}` };
  return {
    ok: true,
    window: {
      types: [...new Set((w.types as string[] | undefined) ?? [])].sort(),
      buildings: [...new Set((w.buildings as string[] | undefined) ?? [])].sort(),
      q: ((w.q as string | undefined) ?? '').trim().toLowerCase(),
      offset: offset as number,
      limit: limit as number,
    },
  };
}

const collator = new Intl.Collator('zh-CN', { numeric: true });

function matches(device: RegisteredDevice, window: NormalWindow): boolean {
  if (window.types.length && !window.types.includes(device.type)) return false;
  if (window.buildings.length && !window.buildings.includes(device.tags.building ?? '')) return false;
  if (window.q && !device.device.toLowerCase().includes(window.q) && !(device.name ?? '').toLowerCase().includes(window.q)) return false;
  return true;
}

/** The page of devices `window` selects in `compounds` (in the order the contract names), and how many match in all. */
export function selectWindow(registry: Registry, compounds: Iterable<string>, window: NormalWindow): { devices: RegisteredDevice[]; page: LivePage } {
  const matching: RegisteredDevice[] = [];
  for (const compound of [...compounds].sort()) {
    const mine = registry.devicesOf(compound).filter((d) => matches(d, window));
    mine.sort(
      (a, b) =>
        collator.compare(a.tags.building ?? '', b.tags.building ?? '') ||
        a.type.localeCompare(b.type) ||
        collator.compare(a.name ?? a.device, b.name ?? b.device) ||
        a.device.localeCompare(b.device),
    );
    matching.push(...mine);
  }
  return { devices: matching.slice(window.offset, window.offset + window.limit), page: { offset: window.offset, limit: window.limit, total: matching.length } };
}
