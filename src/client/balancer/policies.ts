// Load-balancing policies: which ready endpoint takes the next call (first, in turn, or the less loaded of two).
import { FramerpcOptionError } from '../../errors';

/** What a policy sees of an endpoint. */
export interface Pickable {
  /** Calls in flight on its connection now. */
  readonly load: number;
}

/** Chooses among the ready endpoints (never empty, in resolver order). */
export interface BalancingPolicy {
  pick<T extends Pickable>(ready: readonly T[]): T;
}

/** The policy names `createChannel` accepts. */
export type PolicyName = 'pick_first' | 'round_robin' | 'least_loaded';

/** Every call to the first ready endpoint in resolver order; the next one takes over when it fails. */
export function pickFirst(): BalancingPolicy {
  return { pick: (ready) => ready[0] };
}

/** Each call to the next ready endpoint in turn. */
export function roundRobin(): BalancingPolicy {
  let next = 0;
  return {
    pick(ready) {
      if (next >= ready.length) next = 0;
      return ready[next++];
    },
  };
}

/**
 * The power of two choices: two distinct ready endpoints at random, the one with fewer calls in flight
 * (ties to the first). Near least-loaded without a global scan, and no herd on one idle endpoint.
 */
export function leastLoaded(random: () => number = Math.random): BalancingPolicy {
  return {
    pick(ready) {
      if (ready.length === 1) return ready[0];
      const first = Math.floor(random() * ready.length);
      let second = Math.floor(random() * (ready.length - 1));
      if (second >= first) second++;
      return ready[second].load < ready[first].load ? ready[second] : ready[first];
    },
  };
}

/** The policy for a name (or a policy object as is). */
export function resolvePolicy(policy: PolicyName | BalancingPolicy | undefined): BalancingPolicy {
  if (policy === undefined || policy === 'pick_first') return pickFirst();
  if (policy === 'round_robin') return roundRobin();
  if (policy === 'least_loaded') return leastLoaded();
  if (typeof policy === 'object' && typeof policy.pick === 'function') return policy;
  throw new FramerpcOptionError('policy', `channel option policy must be 'pick_first', 'round_robin', 'least_loaded' or { pick }, got ${JSON.stringify(policy)}`);
}
