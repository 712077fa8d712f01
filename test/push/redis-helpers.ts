// A real redis-server for the push tests: started on a free loopback port, waited for, stopped by its PID.
// A test that needs it and finds it missing fails loudly (never a silent skip): install redis-server.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';

const READY_TIMEOUT_MS = 10_000;
const READY_LINE = /Ready to accept connections/;

/** The redis-server binary: REDIS_SERVER if set, else redis-server on PATH. */
export const REDIS_SERVER = process.env.REDIS_SERVER || 'redis-server';

/** Throws, saying how to install it, when `command` (redis-server) cannot be run. */
export function requireRedisServer(command = REDIS_SERVER): void {
  const probe = spawnSync(command, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(`${command} is not installed, and the Redis push bus tests need a real one: install redis-server (apt-get install -y redis-server; .ci/run does this) and run the tests again`);
  }
}

/** A free TCP port on 127.0.0.1 (bound, then released: redis-server has no --port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server this test started: no persistence, loopback only. */
export class RedisServer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(
    readonly port: number,
    private readonly extraArgs: readonly string[],
  ) {}

  /** Starts redis-server on a free port (with `extraArgs`) and resolves once it accepts connections. */
  static async start(extraArgs: readonly string[] = []): Promise<RedisServer> {
    requireRedisServer();
    const server = new RedisServer(await freePort(), extraArgs);
    await server.restart();
    return server;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts it (again) on the same port, empty. */
  restart(): Promise<void> {
    const child = spawn(REDIS_SERVER, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--loglevel', 'notice', ...this.extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    return new Promise((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => fail(new Error(`redis-server on port ${this.port} was not ready within ${READY_TIMEOUT_MS} ms: ${output.slice(-500)}`)), READY_TIMEOUT_MS);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(error);
      };
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (READY_LINE.test(output)) {
          clearTimeout(timer);
          child.stdout?.off('data', onData);
          child.stdout?.resume(); // keep draining its log
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', fail);
      child.once('exit', (code, signal) => fail(new Error(`redis-server exited (code ${code}, signal ${signal}) before it was ready: ${output.slice(-500)}`)));
    });
  }

  /** Kills it at once (SIGKILL by PID), as a crash would; resolves once it has exited. */
  async kill(): Promise<void> {
    if (this.running && this.child?.pid) process.kill(this.child.pid, 'SIGKILL');
    await this.exited;
  }

  /** Stops it (SIGTERM by PID, then SIGKILL after 5 s); resolves once it has exited. */
  async stop(): Promise<void> {
    const pid = this.child?.pid;
    if (!this.running || pid === undefined) return;
    process.kill(pid, 'SIGTERM');
    const timer = setTimeout(() => this.running && process.kill(pid, 'SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }

  /** An ioredis client of this server that retries every 50 ms (tests restart the server). */
  client(): Redis {
    const client = new Redis({ host: '127.0.0.1', port: this.port, retryStrategy: () => 50, maxRetriesPerRequest: 2, lazyConnect: false });
    client.on('error', () => {
      // Connection errors while the server is down are what the fault tests make.
    });
    return client;
  }
}

/** Polls `condition` every 10 ms until it holds, for at most `timeoutMs`; throws `what` otherwise. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A Redis Cluster of `RedisServer`s (masters only), created with redis-cli --cluster create. */
export class RedisClusterServers {
  private constructor(
    readonly servers: RedisServer[],
    private readonly dir: string,
  ) {}

  static async start(masters = 3): Promise<RedisClusterServers> {
    requireRedisServer();
    // Each node writes its cluster state file: in a directory of this cluster's own, removed by stop().
    const dir = mkdtempSync(path.join(os.tmpdir(), 'framerpc-redis-cluster-'));
    const servers: RedisServer[] = [];
    try {
      for (let i = 0; i < masters; i++) servers.push(await RedisServer.start(['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${i}.conf`, '--dir', dir]));
      const create = spawnSync('redis-cli', ['--cluster', 'create', ...servers.map((s) => `127.0.0.1:${s.port}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: 20_000 });
      if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout.slice(-500)}${create.stderr.slice(-500)}`);
      const cluster = new RedisClusterServers(servers, dir);
      await waitUntil(() => cluster.state() === 'ok', 'the cluster state to be ok', 15_000);
      return cluster;
    } catch (error) {
      await Promise.all(servers.map((s) => s.stop()));
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** cluster_state from CLUSTER INFO of the first node. */
  state(): string | undefined {
    const info = spawnSync('redis-cli', ['-p', String(this.servers[0].port), 'cluster', 'info'], { encoding: 'utf8' });
    return /cluster_state:(\w+)/.exec(info.stdout ?? '')?.[1];
  }

  get ports(): number[] {
    return this.servers.map((s) => s.port);
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
