import { describe, expect, it } from 'vitest';
import type { PlacesAnswer } from '../../../src/contracts/admin.ts';
import { locationOf, namesOf, placeChoices, placeTree, rowsOf } from './place-tree.ts';

const answer: PlacesAnswer = {
  places: [
    { kind: 'community', id: 'yg', name: '阳光社区', parent: 'qdh' },
    { kind: 'district', id: 'xihu', name: '西湖区' },
    { kind: 'street', id: 'wenxin', name: '文新街道', parent: 'xihu' },
    { kind: 'district', id: 'chunan', name: '淳安县' },
    { kind: 'street', id: 'qdh', name: '千岛湖镇', parent: 'chunan' },
    { kind: 'community', id: 'cuiyuan', name: '翠苑社区', parent: 'wenxin' },
    { kind: 'community', id: 'cy2', name: '翠苑社区', parent: 'qdh' },
  ],
  compounds: [
    { id: 'c02', name: '翠苑二区', community: 'cuiyuan', area: 'city', deviceCount: 3 },
    { id: 'c01', name: '翠苑一区', community: 'cuiyuan', area: 'city', deviceCount: 2 },
    { id: 'c03', name: '阳光苑', community: 'yg', area: 'county', deviceCount: 0 },
  ],
};

describe('placeTree', () => {
  it('nests compounds under their community, street and district, each level by name', () => {
    const tree = placeTree(answer, 'zh-CN');
    expect(tree.map((d) => d.place.id)).toEqual(['chunan', 'xihu']);
    const xihu = tree[1]!;
    expect(xihu.streets.map((s) => s.place.id)).toEqual(['wenxin']);
    expect(xihu.streets[0]!.communities.map((c) => c.place.id)).toEqual(['cuiyuan']);
    // By name as zh-CN sorts (pinyin): 翠苑二区 (èr) before 翠苑一区 (yī), whatever the ids.
    expect(xihu.streets[0]!.communities[0]!.compounds.map((c) => c.id)).toEqual(['c02', 'c01']);
    const qdh = tree[0]!.streets[0]!;
    expect(qdh.communities.map((c) => [c.place.id, c.compounds.map((x) => x.id)])).toEqual([['cy2', []], ['yg', ['c03']]]);
  });

  it('keeps a place with nothing under it', () => {
    const tree = placeTree({ places: [{ kind: 'district', id: 'd', name: 'D' }], compounds: [] }, 'en');
    expect(tree).toEqual([{ place: { kind: 'district', id: 'd', name: 'D' }, streets: [] }]);
  });
});

describe('placeChoices', () => {
  it('gives the places of a kind by name, with the name of the place each sits in', () => {
    expect(placeChoices(answer.places, 'community', 'zh-CN')).toEqual([
      { id: 'cuiyuan', name: '翠苑社区', parentName: '文新街道' },
      { id: 'cy2', name: '翠苑社区', parentName: '千岛湖镇' },
      { id: 'yg', name: '阳光社区', parentName: '千岛湖镇' },
    ]);
    expect(placeChoices(answer.places, 'district', 'zh-CN')).toEqual([{ id: 'chunan', name: '淳安县' }, { id: 'xihu', name: '西湖区' }]);
  });
});

describe('rows of buildings and zones', () => {
  it('turns a record into rows with the ids in natural order, and back', () => {
    const rows = rowsOf({ b10: '10号楼', b2: '2号楼', b1: '1号楼' });
    expect(rows.map((r) => r.id)).toEqual(['b1', 'b2', 'b10']);
    expect(namesOf(rows)).toEqual({ ok: true, names: { b1: '1号楼', b2: '2号楼', b10: '10号楼' } });
    expect(rowsOf(undefined)).toEqual([]);
  });

  it('trims, skips rows left empty, and gives no record for no rows', () => {
    expect(namesOf([{ id: ' b1 ', name: ' 1幢 ' }, { id: '', name: '  ' }])).toEqual({ ok: true, names: { b1: '1幢' } });
    expect(namesOf([{ id: '', name: '' }])).toEqual({ ok: true, names: undefined });
    expect(namesOf([])).toEqual({ ok: true, names: undefined });
  });

  it('names the first row that lacks an id or a name, or repeats an id', () => {
    expect(namesOf([{ id: 'b1', name: '1幢' }, { id: '', name: '2幢' }])).toEqual({ ok: false, problem: 'missingId', row: 2 });
    expect(namesOf([{ id: 'b1', name: '' }])).toEqual({ ok: false, problem: 'missingName', row: 1 });
    expect(namesOf([{ id: 'b1', name: '1幢' }, { id: 'b1', name: '又一幢' }])).toEqual({ ok: false, problem: 'duplicate', row: 2 });
  });
});

describe('locationOf', () => {
  it('reads both numbers, or none', () => {
    expect(locationOf('29.6052', ' 119.0421 ')).toEqual({ ok: true, location: { lat: 29.6052, lon: 119.0421 } });
    expect(locationOf('', ' ')).toEqual({ ok: true, location: undefined });
  });
  it('refuses one without the other, or what is not a number', () => {
    expect(locationOf('29.6', '')).toEqual({ ok: false });
    expect(locationOf('', '119')).toEqual({ ok: false });
    expect(locationOf('north', '119')).toEqual({ ok: false });
  });
});
