import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A self-signed certificate for `receiver.test` (valid 2000–2100), only for TLS receivers in
 * tests; the name resolves nowhere, so tests map it to 127.0.0.1 through the resolver they inject.
 */
export const TEST_TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgxlS/SE3d/ktF/KzE
o/XF5Jo6De1c7G7CSfkSvFnyrSyhRANCAATmsqC4vXG6YF/rHHcv6IMcya3w4Wgp
vVw50Y1/D0rE0DIyhn/I5RSvyhn+Y/tHPGfMvUuSMvPHiq4zxdLgpgfL
-----END PRIVATE KEY-----
`;
export const TEST_TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBejCCASCgAwIBAgIBATAKBggqhkjOPQQDAjAYMRYwFAYDVQQDDA1yZWNlaXZl
ci50ZXN0MCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAYMRYwFAYD
VQQDDA1yZWNlaXZlci50ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE5rKg
uL1xumBf6xx3L+iDHMmt8OFoKb1cOdGNfw9KxNAyMoZ/yOUUr8oZ/mP7RzxnzL1L
kjLzx4quM8XS4KYHy6NZMFcwDwYDVR0TAQH/BAUwAwEB/zAYBgNVHREEETAPgg1y
ZWNlaXZlci50ZXN0MAsGA1UdDwQEAwIChDAdBgNVHQ4EFgQUOejehB458MGhhb0q
POiZiU3wYJMwCgYIKoZIzj0EAwIDSAAwRQIgWszucio4P93xm6cj3TYuZz68fcrB
GcgP1kh//mxOrZcCIQCFAXVw4W4taeafgwxy+l2EmIdIx5QVcjyyM2cdLqoNoQ==
-----END CERTIFICATE-----
`;

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body's bytes (an encrypted Web Push message is not text). */
  raw: Buffer;
  /** When it arrived (epoch ms, real time). */
  at: number;
}

/** Answers one request; a handler that never ends `res` leaves the caller waiting (a hung endpoint). */
export type Handler = (request: ReceivedRequest, res: ServerResponse) => void;

/** Answers 204 with no body. */
export const noContent: Handler = (_request, res) => {
  res.writeHead(204).end();
};

/**
 * A client's notification endpoint, a webhook app or a key server: a real HTTP(S) server on
 * 127.0.0.1 that records every request and every TCP connection, and answers through `handler`
 * (which a test may replace at any time).
 */
export interface Receiver {
  port: number;
  /** `http://127.0.0.1:<port><path>` (https for a TLS receiver). */
  url(path?: string): string;
  requests: ReceivedRequest[];
  /** TCP connections accepted, whether or not a request followed. */
  connections: number;
  handler: Handler;
  close(): Promise<void>;
}

export async function startReceiver(handler: Handler = noContent, options: { tls?: boolean } = {}): Promise<Receiver> {
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        raw: Buffer.concat(chunks),
        at: Date.now(),
      };
      receiver.requests.push(received);
      receiver.handler(received, res);
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ key: TEST_TLS_KEY, cert: TEST_TLS_CERT }, onRequest)
    : createHttpServer(onRequest);
  const receiver: Receiver = {
    port: 0,
    url: (path = '/cb') => `${options.tls ? 'https' : 'http'}://127.0.0.1:${receiver.port}${path}`,
    requests: [],
    connections: 0,
    handler,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('connection', () => {
    receiver.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  return receiver;
}
