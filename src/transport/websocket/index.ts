// framerpc over WebSocket (Node side): the server endpoint, the client dialer, the byte-stream adapter.
export { WebSocketListener, serveWebSocket, type WebSocketListenerOptions, type HasFrameServer } from './websocket-listener';
export { webSocketDialer, type WebSocketDialerOptions } from './websocket-dialer';
export { WebSocketByteStream, WEBSOCKET_MAX_SEND_MESSAGE_BYTES, TEXT_MESSAGE_REASON } from './websocket-byte-stream';
export { WebSocketCloseCode, type WebSocketPort, type WebSocketPortEvents } from './websocket-port';
export type { OriginPolicy } from './origin-policy';
