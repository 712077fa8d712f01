// Which browser origins may open a WebSocket to the server: the defence against cross-site WebSocket hijacking.
import type { IncomingMessage } from 'node:http';

/**
 * `'same-origin'`: an Origin whose host (and port) is the request's Host; a list: exactly these origins
 * (`'https://app.example.com'`, `'http://localhost:8080'`), `'*'` in it allowing any; a function: its verdict.
 * Requests without an Origin header (non-browser clients: Node, curl) are allowed in every mode, since
 * only browsers send one and only browsers carry a user's cookies to another site.
 */
export type OriginPolicy = 'same-origin' | readonly string[] | ((origin: string, request: IncomingMessage) => boolean);

/** True when the upgrade request's Origin is allowed by `policy`. */
export function originAllowed(policy: OriginPolicy, request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (typeof policy === 'function') return policy(origin, request);
  if (policy === 'same-origin') {
    try {
      return new URL(origin).host === request.headers.host;
    } catch {
      return false; // 'null' (a sandboxed page, a file:) or garbage
    }
  }
  return policy.includes('*') || policy.includes(origin);
}
