// What the large section needs from an RPC framework: a server in a child process and a bytes echo client.

/**
 * The message limit both peers are configured with, on both sides (requests, responses, frames): above
 * the 1 MiB stream messages, so the limits are never what the section measures. framerpc's defaults are
 * 4 MiB; grpc-js limits received messages to 4 MiB by default.
 */
export const LARGE_MESSAGE_LIMIT_BYTES = 8 * 1024 * 1024;

/** A call that has not finished after this long fails with the framework's deadline error. */
export const LARGE_CALL_TIMEOUT_MS = 20_000;

/** A connected client: one connection (channel) shared by every call and stream it makes. */
export interface LargeEchoClient {
  /** A unary echo: resolves with the bytes sent back. */
  echo(data: Buffer): Promise<Buffer>;
  /**
   * One bidi stream: sends what `requests` yields (as the framework's flow control lets it) and yields
   * the echoes as they arrive; fails with the framework's error when the call fails.
   */
  echoStream(requests: AsyncIterable<Buffer>): AsyncIterable<Buffer>;
  close(): Promise<void>;
}

/**
 * One peer of the large tables. The server runs in a child forked from `dist/bench/<serverModule>.js`
 * (a module calling `serveInChild`); the client runs in the bench process.
 */
export interface LargePeerFactory {
  readonly name: string;
  readonly serverModule: string;
  connect(port: number): Promise<LargeEchoClient>;
}
