import { describe, expect, it } from 'vitest';
import { rulesFileSchema } from './rule.schema.ts';
import { DEFAULT_RULES } from './default.pack.ts';
import { parseRulesData } from './rules.loader.ts';
import { formatIssues } from '../config/config.loader.ts';

const { rules } = DEFAULT_RULES;
const offline = { id: 'offline-building', name: { zh: '{place} {count} 台设备离线', en: '{place}: {count} offline' }, rules: ['device-offline'], by: 'building', min: 3, windowSec: 600, waitSec: 60 };
const inhibit = { id: 'power-cut', source: ['elevator-power-loss'], targets: ['device-offline'], equal: ['compound', 'building'] };

/** The `path: message` lines a rules file is refused with (none: it is valid). */
function problems(file: unknown): string[] {
  const parsed = rulesFileSchema.safeParse(file);
  return parsed.success ? [] : formatIssues(parsed.error.issues).split('\n');
}

describe('rules data: groups, inhibit, flapping', () => {
  it('the built-in pack is valid and has groups, inhibition and flapping', () => {
    const data = parseRulesData(DEFAULT_RULES, 'built-in');
    expect(data.groups.map((g) => g.id)).toEqual(['power-cut-building', 'offline-compound', 'offline-building', 'water-zone']);
    expect(data.inhibit.map((x) => x.id)).toEqual(['power-cut-offline', 'power-loss-elevator']);
    expect(data.flapping).toEqual({ toggles: 4, windowSec: 900 });
  });

  it('a file of rules alone has no groups, no inhibition and no flapping (defaults are the built-in pack\'s only)', () => {
    expect(parseRulesData({ rules }, 'file')).toMatchObject({ groups: [], inhibit: [] });
    expect(parseRulesData({ rules }, 'file').flapping).toBeUndefined();
  });

  it('fills in waitSec, settleSec and equal', () => {
    const { min: _min, waitSec: _wait, ...bare } = offline;
    const data = parseRulesData({ rules, groups: [{ ...bare, min: 2 }], inhibit: [{ id: 'x', source: ['elevator-power-loss'], targets: ['device-offline'] }] }, 'file');
    expect(data.groups[0]).toMatchObject({ waitSec: 0, settleSec: 0 });
    expect(data.inhibit[0]!.equal).toEqual(['compound']);
  });

  it.each<[string, unknown, string]>([
    ['a duplicate group id', { rules, groups: [offline, offline] }, 'groups.1.id: duplicate group id "offline-building"'],
    ['a group named like a rule', { rules, groups: [{ ...offline, id: 'device-offline' }] }, 'groups.0.id: "device-offline" is a rule id: a group needs an id of its own'],
    ['a group of an unknown rule', { rules, groups: [{ ...offline, rules: ['device-offline', 'nope'] }] }, 'groups.0.rules.1: no rule "nope"'],
    ['a rescue in a group', { rules, groups: [{ ...offline, rules: ['elevator-trapped'] }] }, 'groups.0.rules.0: "elevator-trapped" is a rescue (arrival on site): it is never grouped'],
    ['a hold longer than the window', { rules, groups: [{ ...offline, waitSec: 900 }] }, 'groups.0.waitSec: must not be longer than windowSec'],
    ['a group of one device', { rules, groups: [{ ...offline, min: 1 }] }, 'groups.0.min: Too small: expected number to be >=2'],
    ['an unknown scope', { rules, groups: [{ ...offline, by: 'street' }] }, 'groups.0.by: Invalid option: expected one of "building"|"zone"|"compound"'],
    ['a duplicate inhibit id', { rules, inhibit: [inhibit, inhibit] }, 'inhibit.1.id: duplicate inhibit id "power-cut"'],
    ['an unknown source', { rules, inhibit: [{ ...inhibit, source: ['blackout'] }] }, 'inhibit.0.source.0: no rule or group "blackout"'],
    ['an unknown target', { rules, inhibit: [{ ...inhibit, targets: ['offline-building'] }] }, 'inhibit.0.targets.0: no rule "offline-building"'],
    ['a rescue as a target', { rules, inhibit: [{ ...inhibit, targets: ['elevator-trapped'] }] }, 'inhibit.0.targets.0: "elevator-trapped" is a rescue (arrival on site): it is never inhibited'],
    ['a rule inhibiting itself', { rules, inhibit: [{ ...inhibit, targets: ['elevator-power-loss'] }] }, 'inhibit.0.targets.0: "elevator-power-loss" would inhibit itself'],
    ['inhibition across compounds', { rules, inhibit: [{ ...inhibit, equal: ['building'] }] }, 'inhibit.0.equal: must include "compound"'],
    ['an unknown label', { rules, inhibit: [{ ...inhibit, equal: ['compound', 'street'] }] }, 'inhibit.0.equal.1: Invalid option: expected one of "compound"|"building"|"zone"|"type"|"device"'],
    ['flapping of one toggle', { rules, flapping: { toggles: 1, windowSec: 600 } }, 'flapping.toggles: Too small: expected number to be >=2'],
  ])('refuses %s with a path: message line', (_what, file, line) => {
    expect(problems(file)).toContain(line);
  });

  it('a group may be an inhibition source', () => {
    expect(problems({ rules, groups: [offline], inhibit: [{ ...inhibit, source: ['offline-building'], targets: ['manhole-water-high'] }] })).toEqual([]);
  });
});
