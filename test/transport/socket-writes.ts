// Test helper: counts the write requests a socket hands to the OS (one per `_write` or `_writev`, so the
// buffers of one cork()/uncork() count once), without changing what is written.
import type { Socket } from 'node:net';

interface StreamInternals {
  _write: (...args: unknown[]) => void;
  _writev?: (...args: unknown[]) => void;
}

/** Starts counting on `socket`; the returned function reads the count so far. */
export function countSocketWrites(socket: Socket): () => number {
  let writes = 0;
  const internals = socket as unknown as StreamInternals;
  const write = internals._write.bind(socket);
  internals._write = (...args: unknown[]) => {
    writes++;
    write(...args);
  };
  const writev = internals._writev?.bind(socket);
  if (writev) {
    internals._writev = (...args: unknown[]) => {
      writes++;
      writev(...args);
    };
  }
  return () => writes;
}
