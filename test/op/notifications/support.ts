import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyring, type Keyring } from '../../../src/engine/crypto/keyring.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/ports.js';
import { freshPostgresUrl, type Dialect } from '../../support/test-server.js';

/**
 * A self-signed certificate for `receiver.test` (valid 2000–2100), only for the TLS receiver
 * of these tests; the name resolves nowhere, so tests map it to 127.0.0.1 themselves.
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

export { ManualClock } from '../../support/clock.js';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Handler = (request: ReceivedRequest, res: ServerResponse) => void;

export interface Receiver {
  port: number;
  /** `http://127.0.0.1:<port><path>` (or https for a TLS receiver). */
  url(path?: string): string;
  requests: ReceivedRequest[];
  /** TCP connections accepted, whether or not a request followed. */
  connections: number;
  close(): Promise<void>;
}

/** A real HTTP(S) server on 127.0.0.1 that records what reaches it; answers 204 unless told. */
export async function startReceiver(handler?: Handler, options: { tls?: boolean } = {}): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      if (handler) handler(received, res);
      else res.writeHead(204).end();
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ key: TEST_TLS_KEY, cert: TEST_TLS_CERT }, onRequest)
    : createHttpServer(onRequest);
  const receiver: Receiver = {
    port: 0,
    url: (path = '/cb') => `${options.tls ? 'https' : 'http'}://127.0.0.1:${receiver.port}${path}`,
    requests,
    connections: 0,
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

export const SERVICE_ID = 4_100_000_001;

export interface TestStore {
  store: Store;
  dataDir: string;
  /** The PostgreSQL database's URL (undefined on SQLite). */
  databaseUrl: string | undefined;
  /** Opens a second handle on the same database (another node, as far as the store knows). */
  openAnother(): Promise<Store>;
  close(): Promise<void>;
}

/**
 * A real store with the service that outbox rows refer to: SQLite in a fresh directory, or a
 * fresh database on the run's PostgreSQL server.
 */
export async function openTestStore(dialect: Dialect = 'sqlite'): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'openciba-notify-'));
  const databaseUrl = dialect === 'postgres' ? await freshPostgresUrl() : undefined;
  const { store } = await openStore({ dataDir, databaseUrl });
  await store.createService({ apiKey: SERVICE_ID, number: 1, data: {}, jwksSealed: null, createdAt: 1, modifiedAt: 1 });
  const others: Store[] = [];
  let closed = false;
  return {
    store,
    dataDir,
    databaseUrl,
    async openAnother() {
      const other = (await openStore({ dataDir, databaseUrl, migrate: false })).store;
      others.push(other);
      return other;
    },
    async close() {
      if (closed) return;
      closed = true;
      // A test may have closed a handle itself; closing it again must not hide the test's result.
      for (const handle of [...others, store]) await handle.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function testKeyring(): Keyring {
  return createKeyring(Buffer.alloc(32, 1));
}

/** Jitter that takes nothing off: backoff is then exactly 1 s, 2 s, 4 s, … */
export const noJitter = () => 0;
