// Parent side of a bench server: fork the compiled child, wait for its port, query memory, stop it.
import { fork, type ChildProcess } from 'node:child_process';
import { benchModule } from '../paths';
import type { ChildMessage, ParentMessage } from './messages';

const START_TIMEOUT_MS = 15_000;
const REPLY_TIMEOUT_MS = 10_000;

/** A server running in a child process of its own. */
export class ServerProcess {
  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  /** Forks `dist/bench/<module>.js` with `args` and resolves once it listens on 127.0.0.1. */
  static start(name: string, module: string, args: string[] = [], execArgv: string[] = []): Promise<ServerProcess> {
    const child = fork(benchModule(module), args, { execArgv: ['--expose-gc', ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`${name} server did not start within ${START_TIMEOUT_MS} ms`));
      }, START_TIMEOUT_MS);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} server exited with code ${code} before it was ready`));
      });
      child.on('message', function onMessage(message: ChildMessage) {
        if (message.type === 'ready') {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.removeAllListeners('exit');
          resolve(new ServerProcess(name, message.port, child));
        } else if (message.type === 'failed') {
          clearTimeout(timer);
          reject(new Error(`${name} server failed to start: ${message.reason}`));
        }
      });
    });
  }

  /** The child's RSS and heap after a forced GC, and how many connections it holds. */
  memory(): Promise<{ rss: number; heapUsed: number; connections: number }> {
    return this.request({ type: 'memory' }, 'memory') as Promise<{ rss: number; heapUsed: number; connections: number }>;
  }

  /** CPU time (user + system, µs) the child has used so far. */
  async cpuMicros(): Promise<number> {
    const reply = await this.request({ type: 'cpu' }, 'cpu');
    return reply.type === 'cpu' ? reply.micros : NaN;
  }

  /** Asks the child to close and exit; kills it if it has not exited in time. */
  stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), REPLY_TIMEOUT_MS);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.send({ type: 'stop' } satisfies ParentMessage);
    });
  }

  private request(message: ParentMessage, replyType: ChildMessage['type']): Promise<ChildMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.child.off('message', onMessage);
        reject(new Error(`${this.name} server did not answer '${message.type}' within ${REPLY_TIMEOUT_MS} ms`));
      }, REPLY_TIMEOUT_MS);
      const onMessage = (reply: ChildMessage): void => {
        if (reply.type !== replyType) return;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        resolve(reply);
      };
      this.child.on('message', onMessage);
      this.child.send(message);
    });
  }
}
