// node:net, node:tls and the `ws` package in the browser bundle: a browser channel always dials with the page's WebSocket.
function unavailable(): never {
  throw new Error('framerpc browser build: TCP, TLS and the ws package are not available; use createChannel("ws://...") from the browser entry');
}

export const connect = unavailable;
export const createServer = unavailable;

export class WebSocket {
  constructor() {
    unavailable();
  }
}
