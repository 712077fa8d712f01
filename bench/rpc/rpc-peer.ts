// What the rpc section needs from an RPC framework: a server in a child process and an echo client.

/** A connected echo client: one connection (channel, proxy) shared by every call in flight. */
export interface RpcEchoClient {
  /** Sends `text`, resolves with the text echoed back. */
  echo(text: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * One row group of the rpc table. The server runs in a child forked from `dist/bench/<serverModule>.js`
 * (a module calling `serveInChild`); the client runs in the bench process.
 */
export interface RpcPeerFactory {
  readonly name: string;
  readonly serverModule: string;
  readonly serverArgs?: readonly string[];
  connect(port: number): Promise<RpcEchoClient>;
}
