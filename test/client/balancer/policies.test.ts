// The policies alone: which of the ready endpoints each one picks.
import { leastLoaded, pickFirst, roundRobin } from '../../../src/internal';
import { resolvePolicy } from '../../../src/client/balancer/policies';

const endpoints = (...loads: number[]) => loads.map((load, index) => ({ load, index }));

describe('balancing policies', () => {
  it('pick_first always takes the first ready endpoint', () => {
    const policy = pickFirst();
    const ready = endpoints(5, 0, 0);
    expect([1, 2, 3].map(() => policy.pick(ready).index)).toEqual([0, 0, 0]);
  });

  it('round_robin takes each in turn, and starts over when the list shrinks', () => {
    const policy = roundRobin();
    const three = endpoints(0, 0, 0);
    expect([1, 2, 3, 4].map(() => policy.pick(three).index)).toEqual([0, 1, 2, 0]);
    const two = endpoints(0, 0);
    expect([1, 2, 3].map(() => policy.pick(two).index)).toEqual([1, 0, 1]);
  });

  it('least_loaded compares two distinct random endpoints and takes the less loaded', () => {
    // random() values choose the indexes: first = floor(r * n), second among the others.
    const sequence = [0, 0, 0.9, 0.1];
    const policy = leastLoaded(() => sequence.shift()!);
    const ready = endpoints(3, 1, 0);
    expect(policy.pick(ready).index).toBe(1); // 0 (load 3) vs 1 (load 1)
    expect(policy.pick(ready).index).toBe(2); // 2 (load 0) vs 0 (load 3)
  });

  it('least_loaded never compares an endpoint with itself', () => {
    const policy = leastLoaded();
    const ready = endpoints(1, 0);
    for (let i = 0; i < 50; i++) expect(policy.pick(ready).index).toBe(1);
  });

  it('refuses an unknown policy name', () => {
    expect(() => resolvePolicy('random' as 'round_robin')).toThrow(/pick_first', 'round_robin', 'least_loaded'/);
  });
});
