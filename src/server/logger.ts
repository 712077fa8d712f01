// The logger framerpc writes to: pino, console and winston as they are, with structured fields on every line.
import { Console } from 'node:console';
import type { CallContext } from '../service/call-context';
import { LogRateLimiter, type RateLimitOptions } from './log-rate-limit';

/**
 * What framerpc logs to. pino, winston, `console` (or a `Console`) and any object with `error` and `warn` taking a
 * message first all fit this type as they are; framerpc recognises pino, winston and console at run time and calls
 * each in its own convention (below). Any other object is called `error(message, error, fields)`.
 */
export interface Logger {
  error(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
}

/** The structured fields of a line. `err` is the error object itself (pino's name for it), never a string of it. */
export interface LogFields {
  /** The method path, "/echo.v1.EchoService/Echo". */
  method?: string;
  /** The status code name the caller got ("UNKNOWN"), or the close code name of a connection. */
  code?: string;
  /** The peer's "address:port". */
  peer?: string;
  /** The server's id of the connection. */
  connectionId?: number;
  /** Milliseconds since the call started. */
  durationMs?: number;
  /** The error, as thrown. */
  err?: unknown;
  /** How many like lines from this peer were suppressed by the rate limit before this one. */
  suppressed?: number;
  readonly [key: string]: unknown;
}

type Level = 'error' | 'warn';

/** A logger in one convention: pino's (fields, message), console's and winston's (message, fields), or framerpc's own (message, error, fields). */
type Emit = (level: Level, message: string, fields: LogFields) => void;

function isPino(logger: object): boolean {
  const candidate = logger as { child?: unknown; bindings?: unknown; levels?: { values?: unknown } };
  return typeof candidate.child === 'function' && typeof candidate.bindings === 'function' && typeof candidate.levels?.values === 'object';
}

function isWinston(logger: object): boolean {
  const candidate = logger as { log?: unknown; add?: unknown; transports?: unknown };
  return typeof candidate.log === 'function' && typeof candidate.add === 'function' && Array.isArray(candidate.transports);
}

function isConsole(logger: object): boolean {
  return logger === globalThis.console || logger instanceof Console;
}

function emitterOf(logger: Logger): Emit {
  const call = logger as unknown as Record<Level, (...args: unknown[]) => void>;
  if (isPino(logger)) return (level, message, fields) => call[level](fields, message); // pino serializes `err` with its stack
  if (isWinston(logger)) {
    // winston's JSON format prints an Error nested in meta as {}: give it the stack as text too.
    return (level, message, fields) => call[level](message, fields.err instanceof Error ? { ...fields, stack: fields.err.stack } : fields);
  }
  if (isConsole(logger)) return (level, message, fields) => call[level](message, fields);
  return (level, message, fields) => call[level](message, fields.err, fields);
}

/**
 * The server's log: structured lines to the configured logger, rate-limited per peer and kind of line so one bad
 * peer cannot flood it. Used for handler errors, protocol violations and slow consumers.
 */
export class ServerLog {
  private readonly emit: Emit;
  private readonly limiter: LogRateLimiter;

  constructor(logger: Logger, rateLimit: RateLimitOptions = {}) {
    this.emit = emitterOf(logger);
    this.limiter = new LogRateLimiter(rateLimit);
  }

  /** Logs at error level, subject to the rate limit of `key` (default: the peer's host and the message). */
  error(message: string, fields: LogFields = {}, key?: string): void {
    this.line('error', message, fields, key);
  }

  warn(message: string, fields: LogFields = {}, key?: string): void {
    this.line('warn', message, fields, key);
  }

  /** The fields of a call: method, peer, connection id and time since it started. */
  static callFields(context: CallContext | undefined): LogFields {
    if (!context) return {};
    return { method: context.method, peer: context.peer, connectionId: context.connectionId, durationMs: Math.round((performance.now() - context.startedAt) * 1000) / 1000 };
  }

  private line(level: Level, message: string, fields: LogFields, key: string | undefined): void {
    const peer = typeof fields.peer === 'string' ? fields.peer.slice(0, Math.max(0, fields.peer.lastIndexOf(':'))) : '';
    const verdict = this.limiter.admit(key ?? `${peer}\n${message}`);
    if (verdict === false) return;
    this.emit(level, message, verdict > 0 ? { ...fields, suppressed: verdict } : fields);
  }
}

/**
 * @internal The logger server calls use: `error(message, error, context)` as server-call writes it, turned into
 * a structured, rate-limited line with the call's fields.
 */
export function callLogger(log: ServerLog): Logger {
  return {
    error: (message: string, error?: unknown, context?: unknown) => log.error(message, { ...ServerLog.callFields(context as CallContext | undefined), code: 'UNKNOWN', err: error }),
    warn: (message: string, error?: unknown, context?: unknown) => log.warn(message, { ...ServerLog.callFields(context as CallContext | undefined), ...(error === undefined ? {} : { err: error }) }),
  };
}
