// The IPC messages between a WorkerPool and its workers (serveWorker), tagged so other messages pass through.

/** Worker -> pool: the worker's server listens here. */
export interface WorkerListening {
  readonly type: 'framerpc:listening';
  readonly host: string;
  readonly port: number;
}

/** Pool -> worker: close the server gracefully (GOAWAY, calls in flight finish within graceMs), then exit. */
export interface WorkerDrain {
  readonly type: 'framerpc:drain';
  readonly graceMs: number;
}

export function isWorkerListening(message: unknown): message is WorkerListening {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'framerpc:listening';
}

export function isWorkerDrain(message: unknown): message is WorkerDrain {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'framerpc:drain';
}
