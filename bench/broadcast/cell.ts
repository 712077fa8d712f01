// One broadcast cell: a server child and a client child with M connections; the server is sampled every
// 500 ms for peak RSS, the clients report deliveries, latency and their own CPU over the measurement.
import { fork, type ChildProcess } from 'node:child_process';
import { cpuProfileDir } from '../config';
import { benchModule } from '../paths';
import type { BroadcastPlan, BroadcastServerName } from './config';
import type { ClientChildMessage, ClientResult } from './messages';
import { BroadcastServerProcess, type ServerSample } from './server-process';

const SAMPLE_INTERVAL_MS = 500;
// A server blocked in fan-out (naive net: one read of hundreds of messages x M writes) answers IPC seconds late.
const SAMPLE_REPLY_TIMEOUT_MS = 30_000;
const LATE_REPLY_MS = 1000;
const RESULT_GRACE_MS = 30_000;
const CLIENT_EXIT_TIMEOUT_MS = 10_000;

const SERVER_MODULES: Record<BroadcastServerName, string> = {
  framerpc: 'broadcast/framerpc-server',
  'socket.io': 'broadcast/socketio-server',
  'naive net': 'broadcast/net-server',
  'framerpc ws': 'websocket/framerpc-ws-broadcast-server',
};
// Opening batches: socket.io's handshake (HTTP upgrade, engine.io open, socket.io connect) is heavier.
const CONNECT_BATCH: Record<BroadcastServerName, number> = { framerpc: 200, 'socket.io': 100, 'naive net': 200, 'framerpc ws': 100 };

/** What one cell measured. `error` set: the cell did not complete (numbers may be partial or absent). */
export interface BroadcastCell {
  readonly server: BroadcastServerName;
  /** Who played the M clients: the C program (framerpc) or Node sockets in a client child. */
  readonly clientKind: 'native' | 'node';
  readonly clients: number;
  readonly connected: number;
  readonly connectSeconds: number;
  readonly connectError?: string;
  readonly result?: ClientResult;
  readonly peakRss: number;
  /** Wall time between the two server samples (ms), the denominator of the server's CPU share. */
  readonly serverWindowMs?: number;
  /** Server CPU over the measurement, in µs, and messages it received and deliveries it dropped in that window. */
  readonly serverCpuMicros?: number;
  readonly serverReceived?: number;
  readonly serverDropped?: number;
  /** The server's longest event-loop stall during the measurement (ms). */
  readonly serverLoopDelayMaxMs?: number;
  /** Set when the server's IPC answers at the window edges came late (its event loop was blocked). */
  readonly sampleNote?: string;
  readonly error?: string;
}

/**
 * Runs one cell; never throws: failures become `error`. With `nativeClient` (the compiled
 * bench/native/broadcast-client.c) a framerpc cell's M clients are that C program instead of Node sockets.
 */
export async function runBroadcastCell(server: BroadcastServerName, clients: number, plan: BroadcastPlan, log: (line: string) => void, nativeClient?: string): Promise<BroadcastCell> {
  const profileDir = server === 'framerpc' || server === 'framerpc ws' ? cpuProfileDir() : undefined;
  const clientKind = server === 'framerpc' && nativeClient ? 'native' : 'node';
  const execArgv = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=broadcast-${server.replace(' ', '-')}-${clients}.cpuprofile`] : [];
  let serverProcess: BroadcastServerProcess;
  try {
    serverProcess = await BroadcastServerProcess.start(server, SERVER_MODULES[server], execArgv);
  } catch (error) {
    return { server, clientKind, clients, connected: 0, connectSeconds: 0, peakRss: NaN, error: (error as Error).message };
  }
  const native = server === 'framerpc' ? nativeClient : undefined;
  const client = fork(
    benchModule(native ? 'broadcast/native-client-child' : 'broadcast/client-child'),
    [
      `kind=${server}`,
      `port=${serverProcess.port}`,
      `clients=${clients}`,
      `typed=${server === 'framerpc' && !native ? plan.typedClients : 0}`,
      `warmupMs=${plan.warmupMs}`,
      `measureMs=${plan.measureMs}`,
      `batch=${CONNECT_BATCH[server]}`,
      `connectTimeoutMs=${plan.connectTimeoutMs}`,
      ...(native ? [`binary=${native}`] : []),
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const sampler = new PeakSampler(serverProcess, plan.maxServerRssBytes);
  let cell: BroadcastCell = { server, clientKind, clients, connected: 0, connectSeconds: 0, peakRss: NaN };
  try {
    const connected = await nextMessage(client, 'connected', plan.connectTimeoutMs + 15_000);
    cell = { ...cell, connected: connected.connected, connectSeconds: connected.seconds, connectError: connected.firstError };
    log(`  broadcast ${server} M=${clients}: ${connected.connected}/${clients} connected in ${connected.seconds.toFixed(1)} s${connected.firstError ? ` (first error: ${connected.firstError})` : ''}`);
    if (connected.connected === 0) return { ...cell, error: `no client connected: ${connected.firstError ?? 'unknown'}` };
    sampler.start();
    const stopped = sampler.aborted;
    const measuring = nextMessage(client, 'measuring', plan.warmupMs + RESULT_GRACE_MS);
    const reported = nextMessage(client, 'result', plan.warmupMs + plan.measureMs + RESULT_GRACE_MS);
    reported.catch(() => {});
    await Promise.race([measuring, stopped]);
    // /proc at the window edges at once; the counters over IPC, which a server busy fanning out answers late.
    const procBefore = procEdge(serverProcess);
    const windowStart = Date.now();
    const before = timedSample(serverProcess);
    const result = await Promise.race([reported, stopped]);
    const procAfter = procEdge(serverProcess);
    const windowEnd = Date.now();
    sampler.stop();
    // Close the clients first: the server then stops fanning out and answers the last sample promptly.
    await stopClient(client);
    const after = await timedSample(serverProcess, { since: windowStart, until: windowEnd });
    const first = await before;
    const late = !first.sample || !after.sample || first.late;
    return {
      ...cell,
      result,
      peakRss: Math.max(sampler.peakRss, procAfter.rss),
      serverLoopDelayMaxMs: after.sample?.loopDelayMaxMs,
      serverCpuMicros: procAfter.cpuMicros - procBefore.cpuMicros,
      serverWindowMs: procAfter.at - procBefore.at,
      serverReceived: (after.sample?.received ?? NaN) - (first.sample?.received ?? NaN),
      serverDropped: after.sample?.dropped === undefined || first.sample?.dropped === undefined ? undefined : after.sample.dropped - first.sample.dropped,
      sampleNote: late ? 'server answered IPC late: dropped/s approximate' : undefined,
    };
  } catch (error) {
    return { ...cell, peakRss: sampler.peakRss, error: serverProcess.exitReason ?? (error as Error).message };
  } finally {
    sampler.stop();
    await stopClient(client);
    await serverProcess.stop();
  }
}

/** RSS and CPU of the server at one instant, from /proc (IPC when /proc is missing is not worth the skew). */
function procEdge(server: BroadcastServerProcess): { at: number; rss: number; cpuMicros: number } {
  const proc = server.procStats();
  return { at: performance.now(), rss: proc?.rss ?? NaN, cpuMicros: proc?.cpuMicros ?? NaN };
}

/** An IPC sample, undefined if none came in time; `late` when it took over a second (counters then shifted). */
async function timedSample(server: BroadcastServerProcess, stallWindow?: { since: number; until: number }): Promise<{ sample: ServerSample | undefined; late: boolean }> {
  const asked = performance.now();
  const sample = await server.sample(SAMPLE_REPLY_TIMEOUT_MS, stallWindow).catch(() => undefined);
  return { sample, late: performance.now() - asked > LATE_REPLY_MS };
}

/** Polls the server's RSS; `aborted` rejects if the server passes `maxRssBytes` (then killed) or dies. */
class PeakSampler {
  peakRss = 0;
  readonly aborted: Promise<never>;
  private abort: (error: Error) => void = () => {};
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;

  constructor(
    private readonly server: BroadcastServerProcess,
    private readonly maxRssBytes: number,
  ) {
    this.aborted = new Promise<never>((_, reject) => (this.abort = reject));
    this.aborted.catch(() => {});
  }

  start(): void {
    this.timer = setInterval(() => this.poll(), SAMPLE_INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private poll(): void {
    if (!this.server.alive) {
      this.abort(new Error(this.server.exitReason ?? 'server exited'));
      return;
    }
    // /proc answers however busy the server is; the IPC sample (also its own RSS) when it can.
    const proc = this.server.procStats();
    if (proc) this.observe(proc.rss);
    if (this.inFlight) return; // a busy server answers late; never stack requests
    this.inFlight = true;
    this.server.sample(SAMPLE_REPLY_TIMEOUT_MS).then(
      (sample: ServerSample) => {
        this.inFlight = false;
        this.observe(sample.rss);
      },
      (error: Error) => {
        this.inFlight = false;
        if (!this.server.alive) this.abort(error);
      },
    );
  }

  private observe(rss: number): void {
    this.peakRss = Math.max(this.peakRss, rss);
    if (rss > this.maxRssBytes) {
      this.server.kill();
      this.abort(new Error(`aborted: server RSS ${Math.round(rss / 2 ** 20)} MiB passed BROADCAST_MAX_SERVER_RSS_MB (${Math.round(this.maxRssBytes / 2 ** 20)})`));
    }
  }
}

type ClientMessageOf<T extends ClientChildMessage['type']> = Extract<ClientChildMessage, { type: T }>;

/** The client child's next message of `type`; rejects on its 'failed' message, its exit, or the timeout. */
export function nextMessage<T extends ClientChildMessage['type']>(child: ChildProcess, type: T, timeoutMs: number): Promise<ClientMessageOf<T>> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`client child sent no '${type}' within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    const onMessage = (message: ClientChildMessage): void => {
      if (message.type === 'failed') {
        done();
        reject(new Error(`client child failed: ${message.reason}`));
      } else if (message.type === type) {
        done();
        resolve(message as ClientMessageOf<T>);
      }
    };
    const onExit = (code: number | null): void => {
      done();
      reject(new Error(`client child exited with code ${code}`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export function stopClient(client: ChildProcess): Promise<void> {
  if (client.exitCode !== null || client.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => client.kill('SIGKILL'), CLIENT_EXIT_TIMEOUT_MS);
    client.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (client.connected) client.send({ type: 'close' });
    else client.kill('SIGKILL');
  });
}
