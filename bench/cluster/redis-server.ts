// The cluster section's redis-server: started on a free loopback port, asked for its CPU, stopped by PID.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import Redis from 'ioredis';

const READY_TIMEOUT_MS = 10_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server of the bench's own: no persistence, loopback only. */
export class BenchRedis {
  private readonly admin: Redis;

  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    this.admin = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
    this.admin.on('error', () => {});
  }

  /** Starts redis-server (REDIS_SERVER or on PATH); throws, saying how to install it, when missing. */
  static async start(): Promise<BenchRedis> {
    const command = process.env.REDIS_SERVER || 'redis-server';
    const probe = spawnSync(command, ['--version']);
    if (probe.error || probe.status !== 0) throw new Error(`${command} is not installed: the cluster section needs it (apt-get install -y redis-server)`);
    const port = await freePort();
    const child = spawn(command, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`redis-server not ready within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/Ready to accept connections/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with code ${code}: ${output.slice(-300)}`));
      });
    });
    child.removeAllListeners('exit');
    return new BenchRedis(port, child);
  }

  /** Redis's CPU time so far (user + system), in µs, from INFO cpu. */
  async cpuMicros(): Promise<number> {
    const info = await this.admin.info('cpu');
    const field = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1]);
    return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6;
  }

  /** Peak memory and pub/sub output-buffer disconnections so far, from INFO. */
  async memoryAndClosures(): Promise<{ usedMemoryPeak: number; bufferLimitClosures: number | undefined }> {
    const info = await this.admin.info();
    const peak = Number(/^used_memory_peak:(\d+)/m.exec(info)?.[1]);
    const closures = /^client_output_buffer_limit_disconnections:(\d+)/m.exec(info)?.[1];
    return { usedMemoryPeak: peak, bufferLimitClosures: closures === undefined ? undefined : Number(closures) };
  }

  async stop(): Promise<void> {
    this.admin.disconnect();
    if (this.child.exitCode !== null || this.child.signalCode !== null || this.child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    process.kill(this.child.pid, 'SIGTERM');
    const timer = setTimeout(() => this.child.pid && process.kill(this.child.pid, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
