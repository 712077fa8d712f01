// Parent side of a broadcast server child: fork it, wait for its port, sample it, stop it.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { benchModule } from '../paths';
import type { ServerChildMessage, ServerParentMessage } from './messages';

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
// USER_HZ of /proc/<pid>/stat: 100 on every Linux architecture Node supports.
const CLOCK_TICKS_PER_SECOND = 100;

/** One sample of the server child. */
export type ServerSample = Extract<ServerChildMessage, { type: 'sample' }>;

/** A broadcast server running in a child process of its own. */
export class BroadcastServerProcess {
  /** Why the child exited before it was stopped (a crash), if it did. */
  exitReason: string | undefined;
  private stopping = false;
  private nextSampleId = 1;

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    child.on('exit', (code, signal) => {
      if (!this.stopping) this.exitReason = `server exited during the run (code ${code}, signal ${signal})`;
    });
  }

  /** Forks `dist/bench/<module>.js` (with `name=value` `args`) and resolves once it listens on 127.0.0.1. */
  static start(name: string, module: string, execArgv: string[] = [], args: string[] = []): Promise<BroadcastServerProcess> {
    const child = fork(benchModule(module), args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${name} server did not start within ${START_TIMEOUT_MS} ms`));
      }, START_TIMEOUT_MS);
      const onExit = (code: number | null): void => {
        clearTimeout(timer);
        reject(new Error(`${name} server exited with code ${code} before it was ready`));
      };
      child.once('exit', onExit);
      child.on('message', function onMessage(message: ServerChildMessage) {
        if (message.type === 'ready') {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(new BroadcastServerProcess(name, message.port, child));
        } else if (message.type === 'failed') {
          clearTimeout(timer);
          reject(new Error(`${name} server failed to start: ${message.reason}`));
        }
      });
    });
  }

  /** The child's process id (for /proc and for stopping it). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * RSS, heap, CPU and counters right now (no forced GC). A server busy fanning out answers late (its event
   * loop may be blocked for seconds), hence the caller's `timeoutMs`.
   */
  sample(timeoutMs: number, stallWindow?: { since: number; until: number }): Promise<ServerSample> {
    const id = this.nextSampleId++;
    return new Promise((resolve, reject) => {
      if (!this.alive) {
        reject(new Error(this.exitReason ?? `${this.name} server is not running`));
        return;
      }
      const timer = setTimeout(() => {
        this.child.off('message', onMessage);
        reject(new Error(`${this.name} server did not answer a sample within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (reply: ServerChildMessage): void => {
        if (reply.type !== 'sample' || reply.id !== id) return;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        resolve(reply);
      };
      this.child.on('message', onMessage);
      this.child.send({ type: 'sample', id, stallSince: stallWindow?.since, stallUntil: stallWindow?.until } satisfies ServerParentMessage);
    });
  }

  /**
   * RSS (bytes) and CPU time (user + system, µs) from /proc, readable however busy the child's event loop is;
   * undefined where /proc is not available.
   */
  procStats(): { rss: number; cpuMicros: number } | undefined {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'latin1');
      const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
      // /proc/<pid>/stat: fields after the ")" closing the command name; utime and stime are fields 14 and 15.
      const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      if (!Number.isFinite(rssKb) || !Number.isFinite(ticks)) return undefined;
      return { rss: rssKb * 1024, cpuMicros: (ticks * 1e6) / CLOCK_TICKS_PER_SECOND };
    } catch {
      return undefined;
    }
  }

  /** Asks the child to close and exit; kills it if it has not exited in time. */
  stop(): Promise<void> {
    this.stopping = true;
    if (!this.alive) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.send({ type: 'stop' } satisfies ServerParentMessage);
    });
  }

  /** Stops the child at once (a cell that passed its RSS bound). */
  kill(): void {
    this.stopping = true;
    if (this.alive) this.child.kill('SIGKILL');
  }
}
