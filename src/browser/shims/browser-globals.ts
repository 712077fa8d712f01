// Node globals the shared client code uses, supplied to the browser bundle by esbuild's `inject`: Buffer, process, unref-able timers and intervals, setImmediate.
import { Buffer } from 'buffer';

export { Buffer };

type Callback = (...args: unknown[]) => void;
const nativeSetTimeout = globalThis.setTimeout as unknown as (callback: Callback, ms?: number, ...args: unknown[]) => number;
const nativeClearTimeout = globalThis.clearTimeout as unknown as (id: number | undefined) => void;
const nativeSetInterval = globalThis.setInterval as unknown as (callback: Callback, ms?: number, ...args: unknown[]) => number;
const nativeClearInterval = globalThis.clearInterval as unknown as (id: number | undefined) => void;

/**
 * A browser timer (or, with `repeat`, interval: the shared heartbeat clock ticks on one) with the Node
 * Timeout methods framerpc calls: unref (nothing to do in a page), refresh.
 */
class BrowserTimeout {
  private id: number;

  constructor(
    private readonly callback: Callback,
    private readonly ms: number | undefined,
    private readonly args: unknown[],
    private readonly repeat = false,
  ) {
    this.id = this.arm();
  }

  private arm(): number {
    return (this.repeat ? nativeSetInterval : nativeSetTimeout)(this.callback, this.ms, ...this.args);
  }

  unref(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  hasRef(): boolean {
    return true;
  }

  refresh(): this {
    this.clear();
    this.id = this.arm();
    return this;
  }

  clear(): void {
    (this.repeat ? nativeClearInterval : nativeClearTimeout)(this.id);
  }

  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

function browserSetTimeout(callback: Callback, ms?: number, ...args: unknown[]): BrowserTimeout {
  return new BrowserTimeout(callback, ms, args);
}

function browserClearTimeout(timer: unknown): void {
  if (timer instanceof BrowserTimeout) timer.clear();
  else if (typeof timer === 'number') nativeClearTimeout(timer);
}

function browserSetInterval(callback: Callback, ms?: number, ...args: unknown[]): BrowserTimeout {
  return new BrowserTimeout(callback, ms, args, true);
}

function browserClearInterval(timer: unknown): void {
  if (timer instanceof BrowserTimeout) timer.clear();
  else if (typeof timer === 'number') nativeClearInterval(timer);
}

// setImmediate: a task after the current one (MessageChannel: no 4 ms clamp as nested setTimeout(0) has).
const immediates: Callback[] = [];
let immediateChannel: InstanceType<typeof MessageChannel> | undefined;
function browserSetImmediate(callback: Callback): void {
  if (!immediateChannel) {
    immediateChannel = new MessageChannel();
    // The DOM MessagePort (Node's typings describe Node's, which has no onmessage).
    (immediateChannel.port1 as unknown as { onmessage: (() => void) | null }).onmessage = () => {
      for (const run of immediates.splice(0)) run();
    };
  }
  immediates.push(callback);
  if (immediates.length === 1) immediateChannel.port2.postMessage(0);
}

/** The few `process` members used: warnings go to the console. */
const browserProcess = {
  env: {} as Record<string, string | undefined>,
  platform: 'browser',
  emitWarning(warning: string | Error): void {
    console.warn(warning);
  },
  nextTick(callback: Callback, ...args: unknown[]): void {
    queueMicrotask(() => callback(...args));
  },
};

export {
  browserSetTimeout as setTimeout,
  browserClearTimeout as clearTimeout,
  browserSetInterval as setInterval,
  browserClearInterval as clearInterval,
  browserSetImmediate as setImmediate,
  browserProcess as process,
};
