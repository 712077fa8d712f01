// Which Origins may open a WebSocket: same-origin by default, a list, a function; requests without Origin pass.
import type { IncomingMessage } from 'node:http';
import { originAllowed } from '../../src/transport/websocket/origin-policy';

function request(headers: { origin?: string; host?: string }): IncomingMessage {
  return { headers } as IncomingMessage;
}

describe('originAllowed', () => {
  test("'same-origin': the Origin's host and port must be the request's Host", () => {
    expect(originAllowed('same-origin', request({ origin: 'http://127.0.0.1:8080', host: '127.0.0.1:8080' }))).toBe(true);
    expect(originAllowed('same-origin', request({ origin: 'https://chat.example', host: 'chat.example' }))).toBe(true);
    expect(originAllowed('same-origin', request({ origin: 'http://127.0.0.1:9090', host: '127.0.0.1:8080' }))).toBe(false);
    expect(originAllowed('same-origin', request({ origin: 'https://evil.example', host: 'chat.example' }))).toBe(false);
    expect(originAllowed('same-origin', request({ origin: 'null', host: 'chat.example' }))).toBe(false);
  });

  test('a list: exactly its origins, or any with "*"', () => {
    const list = ['https://app.example', 'http://localhost:3000'];
    expect(originAllowed(list, request({ origin: 'https://app.example', host: 'api.example' }))).toBe(true);
    expect(originAllowed(list, request({ origin: 'http://localhost:3000', host: 'api.example' }))).toBe(true);
    expect(originAllowed(list, request({ origin: 'https://app.example.evil', host: 'api.example' }))).toBe(false);
    expect(originAllowed(['*'], request({ origin: 'https://anything.example', host: 'api.example' }))).toBe(true);
  });

  test('a function decides, seeing the request', () => {
    const policy = (origin: string, incoming: IncomingMessage): boolean => origin.endsWith('.example') && incoming.headers.host === 'api.example';
    expect(originAllowed(policy, request({ origin: 'https://a.example', host: 'api.example' }))).toBe(true);
    expect(originAllowed(policy, request({ origin: 'https://a.example', host: 'other' }))).toBe(false);
  });

  test('no Origin header (not a browser): allowed in every mode', () => {
    for (const policy of ['same-origin', ['https://app.example'], () => false] as const) {
      expect(originAllowed(policy, request({ host: 'api.example' }))).toBe(true);
    }
  });
});
