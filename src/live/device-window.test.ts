/** A subscription's window of devices: untrusted input checked, and the page it selects. */
import { describe, expect, it } from 'vitest';
import { parseRegistry } from '../config/registry.loader.ts';
import { buildRegistry } from '../registry/registry.ts';
import { fixtureRegistryFile } from '../testing/registry.fixture.ts';
import { LIVE_PAGE_MAX } from '../contracts/live-events.ts';
import { parseDeviceWindow, selectWindow, type NormalWindow } from './device-window.ts';

/** c01 with 12 elevators in buildings b1 and b2 and 3 manholes, beside the fixture's devices. */
function bigRegistry() {
  const file = fixtureRegistryFile();
  const c01 = file.districts[0]!.streets[0]!.communities[0]!.compounds[0]!;
  const list = c01.devices!;
  const secretSha256 = list[0]!.secretSha256;
  for (let i = 2; i <= 12; i++) list.push({ id: `elev-${i}`, type: 'elevator', building: i % 2 ? 'b1' : 'b2', name: `${i}号梯`, secretSha256 });
  for (let i = 2; i <= 3; i++) list.push({ id: `mh-${i}`, type: 'manhole', zone: 'north', secretSha256 });
  return buildRegistry(parseRegistry(file, 'test'));
}

const window = (raw: unknown): NormalWindow => {
  const parsed = parseDeviceWindow(raw);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.window;
};

describe('parseDeviceWindow', () => {
  it('fills in the defaults, sorts the lists and folds the text', () => {
    expect(window({})).toEqual({ types: [], buildings: [], q: '', offset: 0, limit: LIVE_PAGE_MAX });
    expect(window({ types: ['manhole', 'elevator'], q: ' Elev ' })).toEqual(window({ types: ['elevator', 'manhole', 'elevator'], q: 'elev' }));
  });

  it('refuses what is not a window, saying which field', () => {
    const refusal = (raw: unknown) => {
      const parsed = parseDeviceWindow(raw);
      return parsed.ok ? 'accepted' : parsed.message;
    };
    expect(refusal([])).toMatch(/^devices: an object/);
    expect(refusal({ types: ['lift'] })).toMatch(/^devices\.types:/);
    expect(refusal({ buildings: 'b1' })).toMatch(/^devices\.buildings:/);
    expect(refusal({ q: 'x'.repeat(65) })).toMatch(/^devices\.q:/);
    expect(refusal({ offset: -1 })).toMatch(/^devices\.offset:/);
    expect(refusal({ offset: 1.5 })).toMatch(/^devices\.offset:/);
    expect(refusal({ limit: 0 })).toMatch(/^devices\.limit:/);
    expect(refusal({ limit: LIVE_PAGE_MAX + 1 })).toMatch(/^devices\.limit:/);
    expect(refusal({ sort: 'name' })).toBe('devices: unknown field sort');
  });
});

describe('selectWindow', () => {
  const registry = bigRegistry();

  it('selects by type, building and text, in building, type and name order, one page at a time', () => {
    const all = selectWindow(registry, ['c01'], window({ types: ['elevator'] }));
    expect(all.page).toEqual({ offset: 0, limit: LIVE_PAGE_MAX, total: 12 });
    // b1 first, then b2; within a building by name, numbers in numeric order.
    expect(all.devices.map((d) => d.device)).toEqual(['elev-3', 'elev-5', 'elev-7', 'elev-9', 'elev-11', 'elev-1', 'elev-2', 'elev-4', 'elev-6', 'elev-8', 'elev-10', 'elev-12']);
    const page = selectWindow(registry, ['c01'], window({ types: ['elevator'], offset: 4, limit: 3 }));
    expect(page.devices.map((d) => d.device)).toEqual(['elev-11', 'elev-1', 'elev-2']);
    expect(page.page).toEqual({ offset: 4, limit: 3, total: 12 });
    expect(selectWindow(registry, ['c01'], window({ buildings: ['b2'] })).page.total).toBe(6);
    // '' stands for no building: the manholes.
    expect(selectWindow(registry, ['c01'], window({ buildings: [''] })).devices.map((d) => d.device)).toEqual(['mh-1', 'mh-2', 'mh-3']);
    expect(selectWindow(registry, ['c01'], window({ q: '12号' })).devices.map((d) => d.device)).toEqual(['elev-12']);
    expect(selectWindow(registry, ['c01', 'c02'], window({ q: 'PARK' })).devices.map((d) => d.key)).toEqual(['c02/parking/park-1']);
    expect(selectWindow(registry, ['c01'], window({ offset: 100 })).devices).toEqual([]);
  });
});
