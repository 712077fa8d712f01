// The cluster section's plan, from the environment: clients, nodes, durations.
import { seconds } from '../config';

/** What one run of the cluster section does. */
export interface ClusterPlan {
  /** M: clients, spread round-robin over the nodes; each sends 1 message/s, each message goes to all M. */
  readonly clients: number;
  /** Server processes per cell, joined by one Redis. */
  readonly nodes: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  readonly connectTimeoutMs: number;
}

function integer(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new TypeError(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`);
  return value;
}

/** CLUSTER_CLIENTS (1000), CLUSTER_NODES (2), CLUSTER_SECONDS (10) of measurement after CLUSTER_WARMUP_SECONDS (3). */
export function clusterPlan(): ClusterPlan {
  return {
    clients: integer('CLUSTER_CLIENTS', 1000, 2, 10_000),
    nodes: integer('CLUSTER_NODES', 2, 1, 8),
    warmupMs: seconds('CLUSTER_WARMUP_SECONDS', 3) * 1000,
    measureMs: seconds('CLUSTER_SECONDS', 10) * 1000,
    connectTimeoutMs: 60_000,
  };
}
