// Opening raw client sockets to bench servers, with framerpc's preface exchange when asked.
import * as net from 'node:net';
import { decodePreface, encodePreface, PREFACE_BYTES, PROTOCOL_VERSION, Role } from '../../src/transport';

const PREFACE_TIMEOUT_MS = 10_000;

/** Connects to 127.0.0.1:`port` with Nagle off. */
export function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * Client half of framerpc's preface: announces features 0 (no compression, no XOR), reads and checks the
 * server's 20 bytes, and resolves with whatever followed them. The socket is left paused.
 */
export function exchangePreface(socket: net.Socket): Promise<Buffer> {
  socket.write(encodePreface({ version: PROTOCOL_VERSION, features: 0, role: Role.CLIENT, keyCheck: 0, connectionWindow: 0x7fff_ffff, streamWindow: 0x7fff_ffff }));
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new Error(`no server preface within ${PREFACE_TIMEOUT_MS} ms`)), PREFACE_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      if (received.length < PREFACE_BYTES) return;
      cleanup();
      try {
        decodePreface(received.subarray(0, PREFACE_BYTES));
      } catch (error) {
        reject(error);
        return;
      }
      resolve(received.subarray(PREFACE_BYTES));
    };
    const onClose = (): void => fail(new Error('server closed the connection during the preface exchange'));
    function fail(error: Error): void {
      cleanup();
      reject(error);
    }
    function cleanup(): void {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
    }
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}
