import { describe, expect, it } from 'vitest';
import { LoopBudget } from './loop-budget.ts';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe('LoopBudget', () => {
  it('lets work run until the slice of this turn is spent, then defers it to the next turn, where a new slice starts', async () => {
    const budget = new LoopBudget(10);
    const done: string[] = [];
    budget.run(() => done.push('first'));
    busy(15);
    budget.run(() => done.push('deferred'));
    expect(done).toEqual(['first']);
    await turn();
    await turn();
    expect(done).toEqual(['first', 'deferred']);
    expect(budget.available()).toBe(true);
  });

  it('lets a timer run between slices of a flood of work', async () => {
    const budget = new LoopBudget(5);
    let handled = 0;
    let handledWhenTimerRan = -1;
    setTimeout(() => (handledWhenTimerRan = handled), 0);
    // A flood that, run at once, would take 200 ms.
    const next = () => {
      busy(1);
      handled += 1;
      if (handled < 200) budget.run(next);
    };
    budget.run(next);
    while (handled < 200) await new Promise((r) => setTimeout(r, 5));
    expect(handledWhenTimerRan).toBeGreaterThan(0);
    expect(handledWhenTimerRan).toBeLessThan(200);
  });
});
