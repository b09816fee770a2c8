import { describe, expect, it } from 'vitest';
import { T0, deviceAlert, stubBrowser } from './incident.fixture.ts';

// Before the modules that load i18n.ts.
stubBrowser();
const { inTab, tabOf } = await import('./worker-tabs.ts');

const me = { id: 'wang' };
const grid = new Set(['c01']);

describe('the worker’s filter tabs', () => {
  it('mine: assigned to me; grid: open in my grids whoever has it; escalated: rung, told, or handed on to me', () => {
    const mine = deviceAlert('a1', 'm1');
    const others = deviceAlert('a2', 'm2', { assignee: 'li' });
    const rung = deviceAlert('a3', 'm3', { assignee: 'li', called: ['wang'] });
    const told = deviceAlert('a4', 'm4', { assignee: 'li', workflow: 'accepted', escalatedTo: ['wang'] });
    const handed = deviceAlert('a5', 'm5', { history: [{ alertId: 'a5', kind: 'escalated', at: T0, actor: 'hub', assignee: 'wang' }] });
    const elsewhere = deviceAlert('a6', 'm6', { compound: 'c09', assignee: 'li' });
    const closed = deviceAlert('a7', 'm7', { workflow: 'closed' });
    const all = [mine, others, rung, told, handed, elsewhere, closed];
    const ids = (tab: 'mine' | 'grid' | 'escalated') => all.filter((a) => inTab(tab, a, me, grid)).map((a) => a.id);
    expect(ids('mine')).toEqual(['a1', 'a5']);
    expect(ids('grid')).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    expect(ids('escalated')).toEqual(['a3', 'a4', 'a5']);
    expect(tabOf(rung, me, grid)).toBe('escalated');
    expect(tabOf(others, me, grid)).toBe('grid');
    expect(tabOf(mine, me, grid)).toBe('mine');
  });
});
