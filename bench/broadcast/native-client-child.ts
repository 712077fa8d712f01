// Client child of a framerpc broadcast cell driven by the native client (bench/native/broadcast-client.c):
// runs the compiled binary and relays its JSON lines to the parent as the same messages client-child.ts
// sends, so the cell treats both alike. This process only relays a few lines; the C program does the work.
import { spawn } from 'node:child_process';
import { numberArg, stringArg } from '../child/args';
import type { ClientChildMessage, ClientParentMessage } from './messages';

const send = (message: ClientChildMessage): void => {
  process.send?.(message);
};

/** One line of the binary's output, checked just enough to relay it. */
function relay(line: string): boolean {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(line) as Record<string, unknown>;
  } catch {
    send({ type: 'failed', reason: `native broadcast client printed a line that is not JSON: ${line.slice(0, 200)}` });
    return false;
  }
  const count = (name: string): number => (typeof value[name] === 'number' ? (value[name] as number) : 0);
  const millis = (name: string): number => (typeof value[name] === 'number' ? (value[name] as number) : NaN);
  if (value.event === 'connected') {
    send({ type: 'connected', connected: count('connected'), failed: count('failed'), firstError: (value.firstError as string | null) ?? undefined, seconds: count('seconds') });
  } else if (value.event === 'measuring') {
    send({ type: 'measuring' });
  } else if (value.event === 'result') {
    if (typeof value.fatal === 'string') {
      send({ type: 'failed', reason: `native broadcast client: ${value.fatal}` });
      return false;
    }
    send({
      type: 'result',
      measuredMs: count('measuredMs'),
      sent: count('sent'),
      sendsSkipped: count('sendsSkipped'),
      delivered: count('delivered'),
      p50Ms: millis('p50Ms'),
      p99Ms: millis('p99Ms'),
      maxMs: millis('maxMs'),
      cpuMicros: count('cpuMicros'),
      closed: count('closed'),
      malformed: count('malformed'),
      errors: count('errors'),
      firstError: (value.firstError as string | null) ?? undefined,
    });
  }
  return true;
}

function main(): void {
  const binary = stringArg('binary');
  if (!binary) throw new Error('native-client-child needs binary=<path of the compiled broadcast client>');
  const args = [
    `--port=${numberArg('port', 0)}`,
    `--clients=${numberArg('clients', 100)}`,
    `--warmup=${numberArg('warmupMs', 3000) / 1000}`,
    `--seconds=${numberArg('measureMs', 20_000) / 1000}`,
    `--connect-timeout=${numberArg('connectTimeoutMs', 60_000) / 1000}`,
    `--batch=${numberArg('batch', 200)}`,
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let pending = '';
  let ended = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line !== '' && !relay(line)) ended = true;
    }
  });
  child.once('exit', (code, signal) => {
    if (!ended && code !== 0) send({ type: 'failed', reason: `native broadcast client exited with code ${code} (signal ${signal})` });
  });
  const closeAll = (): void => {
    child.kill('SIGKILL');
    process.exit(0);
  };
  process.once('message', (_message: ClientParentMessage) => closeAll());
  process.once('disconnect', closeAll);
}

try {
  main();
} catch (error) {
  send({ type: 'failed', reason: (error as Error).stack ?? String(error) });
  process.exit(1);
}
