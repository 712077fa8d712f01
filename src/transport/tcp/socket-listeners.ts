// A connection's socket listeners as four shared functions: no closures per connection (idle connections stay small).
import type { ByteStream } from '../byte-stream';

/** What a connection does with its socket's events. */
export interface SocketOwner {
  onSocketData(chunk: Buffer): void;
  onSocketError(error: Error): void;
  onSocketClose(): void;
  onSocketDrain(): void;
}

// The owner rides on the socket itself: an emitter calls its listeners with `this` set to itself, so one
// function serves every connection (one property per socket instead of a closure and context per listener).
const OWNER = Symbol('framerpc.socketOwner');

interface OwnedSocket extends ByteStream {
  [OWNER]: SocketOwner;
}

function onData(this: OwnedSocket, chunk: Buffer): void {
  this[OWNER].onSocketData(chunk);
}

function onError(this: OwnedSocket, error: Error): void {
  this[OWNER].onSocketError(error);
}

function onClose(this: OwnedSocket): void {
  this[OWNER].onSocketClose();
}

function onDrain(this: OwnedSocket): void {
  this[OWNER].onSocketDrain();
}

const IGNORED: SocketOwner = {
  onSocketData() {},
  onSocketError() {},
  onSocketClose() {},
  onSocketDrain() {},
};

/**
 * Routes `socket`'s 'data', 'error', 'close' and 'drain' to `owner` from now on. The listeners are added
 * once per socket; a later owner (the connection after its handshake) takes them over.
 */
export function listenToSocket(socket: ByteStream, owner: SocketOwner): void {
  const owned = socket as OwnedSocket;
  const listening = owned[OWNER] !== undefined;
  owned[OWNER] = owner;
  if (listening) return;
  socket.on('data', onData);
  socket.on('error', onError);
  socket.on('close', onClose);
  socket.on('drain', onDrain);
}

/**
 * The owner lets go: the socket's events are ignored until another owner takes them. The listeners stay:
 * removing the only 'data' listener deletes a key of the socket's listener table, which turns it into a
 * slow dictionary of ~160 bytes for the rest of the socket's life.
 */
export function releaseSocket(socket: ByteStream): void {
  const owned = socket as OwnedSocket;
  if (owned[OWNER] !== undefined) owned[OWNER] = IGNORED;
}
