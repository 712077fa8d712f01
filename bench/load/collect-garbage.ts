// A full garbage collection in this process and in bench servers, between warm-up and measurement.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ServerProcess } from '../child/server-process';

let gc: (() => void) | undefined;

/**
 * Collects this process's garbage now; the sections call it before each cell, for every peer alike. Why: loading every peer's modules (grpc-js, NestJS, socket.io,
 * framerpc) leaves megabytes of old-generation garbage, and where the first major GC then falls decides
 * whether V8 spends the whole measurement promoting short-lived call objects (measured: 24 vs 390 promoted
 * bytes per call, and Mark-Compacts every ~40k calls, on the same build). Starting every peer's cells from
 * a collected heap measures the per-call cost instead of that accident. Works without --expose-gc.
 */
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

/** Collects garbage in each server (their children run with --expose-gc) and then here. */
export async function collectEverywhere(servers: Iterable<ServerProcess>): Promise<void> {
  for (const server of servers) await server.memory();
  collectGarbage();
}
