// One server process per core, each on its own port: forks them, lists their endpoints, rolls restarts.
import { FramerpcOptionError } from '../errors';
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import type { Endpoint } from '../client/balancer/endpoint';
import { isWorkerListening, type WorkerDrain } from './worker-messages';

export interface WorkerPoolOptions {
  /** The worker's script (JavaScript): it builds its RpcServer and calls `serveWorker(server)`. */
  module: string;
  /** Workers to run. Default `os.availableParallelism()`. */
  workers?: number;
  /** Arguments, Node flags and environment of each worker. Default: none, none, this process's env. */
  args?: readonly string[];
  execArgv?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** A worker must be listening this soon after its fork. Default 15000 ms. */
  startTimeoutMs?: number;
  /** A drained worker's calls in flight get this long (the server's graceful close). Default 5000 ms. */
  drainGraceMs?: number;
  /** A drained worker still running this long after its grace is killed. Default 5000 ms. */
  exitTimeoutMs?: number;
  /** Start a replacement when a worker dies unasked. Default true. */
  respawn?: boolean;
}

/** One worker process. */
export interface WorkerInfo {
  readonly pid: number;
  readonly endpoint: Endpoint;
  /** Draining: out of `endpoints()`, finishing its calls. */
  readonly draining: boolean;
}

export interface WorkerPoolEvents {
  /** The endpoints changed (a worker started, began draining or died): re-resolve balanced channels. */
  endpoints: [endpoints: Endpoint[]];
  /** A worker exited without being asked to (crash, kill). */
  crash: [worker: WorkerInfo, code: number | null, signal: NodeJS.Signals | null];
  /** A message from a worker's own code (anything but the pool's). */
  message: [worker: WorkerInfo, message: unknown];
}

interface Worker extends WorkerInfo {
  readonly child: ChildProcess;
  draining: boolean;
}

/**
 * Runs N server processes on ports of their own; clients reach them through a balanced channel whose
 * resolver is `pool.endpoints` (in this process) or whatever the pool's endpoints are published to.
 * `rollingRestart()` replaces one worker at a time: the replacement listens first, then the old one drains.
 */
export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  private readonly running = new Set<Worker>();
  private closing = false;

  private constructor(private readonly options: WorkerPoolOptions) {
    super();
  }

  /** Forks the workers and resolves once all of them listen. */
  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    const count = options.workers ?? availableParallelism();
    if (!Number.isInteger(count) || count < 1) throw new FramerpcOptionError('workers', `worker pool option workers must be an integer >= 1, got ${count}`);
    try {
      await Promise.all(Array.from({ length: count }, () => pool.spawn()));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Every worker, draining ones included. */
  get workers(): readonly WorkerInfo[] {
    return [...this.running].map(({ pid, endpoint, draining }) => ({ pid, endpoint, draining }));
  }

  /** The endpoints of the workers taking new calls (not draining). */
  endpoints(): Endpoint[] {
    return [...this.running].filter((worker) => !worker.draining).map((worker) => worker.endpoint);
  }

  /** Replaces each worker in turn: start its replacement, wait until it listens, then drain the old one. */
  async rollingRestart(): Promise<void> {
    for (const worker of [...this.running]) {
      if (worker.draining || !this.running.has(worker)) continue;
      await this.spawn();
      await this.drain(worker);
    }
  }

  /** Drains every worker and resolves when all have exited. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.running].map((worker) => this.drain(worker)));
  }

  private spawn(): Promise<Worker> {
    const { module, args = [], execArgv = [], env, startTimeoutMs = 15_000 } = this.options;
    const child = fork(module, [...args], { execArgv: [...execArgv], env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`worker ${module} did not listen within startTimeoutMs (${startTimeoutMs} ms)`));
      }, startTimeoutMs);
      const early = (code: number | null): void => {
        clearTimeout(timer);
        reject(new Error(`worker ${module} exited with code ${code} before it listened`));
      };
      child.once('exit', early);
      child.on('message', (message) => {
        if (!isWorkerListening(message)) {
          const worker = [...this.running].find((candidate) => candidate.child === child);
          if (worker) this.emit('message', worker, message);
          return;
        }
        clearTimeout(timer);
        child.off('exit', early);
        const worker: Worker = { pid: child.pid!, endpoint: { host: message.host, port: message.port }, draining: false, child };
        this.running.add(worker);
        child.once('exit', (code, signal) => this.onExit(worker, code, signal));
        if (this.closing) {
          // close() began while it started (a respawn): it must not outlive the pool.
          void this.drain(worker); // settles when the worker exits; never rejects
          resolve(worker);
          return;
        }
        this.emit('endpoints', this.endpoints());
        resolve(worker);
      });
    });
  }

  private drain(worker: Worker): Promise<void> {
    const { drainGraceMs = 5000, exitTimeoutMs = 5000 } = this.options;
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => worker.child.once('exit', () => resolve()));
    if (!worker.draining) {
      worker.draining = true;
      this.emit('endpoints', this.endpoints());
      const drain: WorkerDrain = { type: 'framerpc:drain', graceMs: drainGraceMs };
      worker.child.send(drain);
    }
    const timer = setTimeout(() => worker.child.kill('SIGKILL'), drainGraceMs + exitTimeoutMs);
    return exited.finally(() => clearTimeout(timer));
  }

  private onExit(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    this.running.delete(worker);
    if (worker.draining) return;
    this.emit('endpoints', this.endpoints());
    this.emit('crash', { pid: worker.pid, endpoint: worker.endpoint, draining: false }, code, signal);
    if (!this.closing && (this.options.respawn ?? true)) this.spawn().catch(() => undefined);
  }
}
