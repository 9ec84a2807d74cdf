import type { ServerResponse } from 'node:http';
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchClientJwks, JWKS_CACHE_MS, JWKS_FAILURE_CACHE_MS } from '../../src/engine/protocol/client-jwks.js';
import { startReceiver, TEST_TLS_CERT, type ReceivedRequest, type Receiver } from '../support/receiver.js';
import { ManualClock } from '../support/clock.js';

const KEYS = [{ kty: 'EC', kid: 'k1' }];

/** The client's jwks_uri: keys, a redirect, an oversized body, non-JSON, JSON of the wrong shape, a 500. */
function jwksHandler(request: ReceivedRequest, res: ServerResponse): void {
  const path = request.path.replace(/\?.*$/, '');
  if (path.startsWith('/keys')) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: KEYS }));
  if (path === '/redirect') return void res.writeHead(302, { location: '/keys' }).end();
  if (path === '/huge') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"keys":[');
    const chunk = `${JSON.stringify({ kty: 'EC', x: 'a'.repeat(1000) })},`;
    for (let i = 0; i < 400; i++) res.write(chunk);
    return void res.end('{}]}');
  }
  if (path === '/broken') return void res.writeHead(200).end('not json');
  if (path === '/not-a-set') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":"k1"}');
  if (path === '/fails') return void res.writeHead(500).end('oops');
  res.writeHead(404).end();
}

/** A resolver that maps every name to 127.0.0.1 and counts how often it was asked. */
function loopbackResolver() {
  const asked: string[] = [];
  const resolveHost = async (hostname: string): Promise<LookupAddress[]> => {
    asked.push(hostname);
    return [{ address: '127.0.0.1', family: 4 }];
  };
  return { asked, resolveHost };
}

describe('fetching a client jwks_uri', () => {
  let plain: Receiver;
  let tls: Receiver;
  let base: string;

  beforeAll(async () => {
    plain = await startReceiver(jwksHandler);
    tls = await startReceiver(jwksHandler, { tls: true });
    base = `http://127.0.0.1:${plain.port}`;
  });
  afterAll(async () => {
    await plain.close();
    await tls.close();
  });

  it('reads the keys, keeps them for the cache time and fetches again after it', async () => {
    const clock = new ManualClock();
    const options = { mode: 'development' as const, clock };
    const before = plain.requests.length;
    expect(await fetchClientJwks(`${base}/keys?cache`, options)).toEqual({ ok: true, keys: KEYS });
    clock.advance(JWKS_CACHE_MS - 1);
    expect(await fetchClientJwks(`${base}/keys?cache`, options)).toEqual({ ok: true, keys: KEYS });
    expect(plain.requests.length).toBe(before + 1);
    clock.advance(1);
    expect(await fetchClientJwks(`${base}/keys?cache`, options)).toEqual({ ok: true, keys: KEYS });
    expect(plain.requests.length).toBe(before + 2);
  });

  it('keeps a failure for a shorter time', async () => {
    const clock = new ManualClock();
    const options = { mode: 'development' as const, clock };
    const before = plain.requests.length;
    expect(await fetchClientJwks(`${base}/fails`, options)).toEqual({ ok: false, reason: 'HTTP 500' });
    clock.advance(JWKS_FAILURE_CACHE_MS - 1);
    expect(await fetchClientJwks(`${base}/fails`, options)).toEqual({ ok: false, reason: 'HTTP 500' });
    expect(plain.requests.length).toBe(before + 1);
    clock.advance(1);
    await fetchClientJwks(`${base}/fails`, options);
    expect(plain.requests.length).toBe(before + 2);
  });

  it('does not follow redirects', async () => {
    const before = plain.requests.length;
    expect(await fetchClientJwks(`${base}/redirect`, { mode: 'development', clock: new ManualClock() })).toEqual({ ok: false, reason: 'HTTP 302' });
    expect(plain.requests.slice(before).map((r) => r.path)).toEqual(['/redirect']);
  });

  it('gives up on bodies over the size limit, on non-JSON and on JSON that is not a JWK Set', async () => {
    const options = { mode: 'development' as const, clock: new ManualClock() };
    expect(await fetchClientJwks(`${base}/huge`, options)).toEqual({ ok: false, reason: 'the JWK Set is larger than 262144 bytes' });
    expect(await fetchClientJwks(`${base}/broken`, options)).toEqual({ ok: false, reason: 'the answer is not a JWK Set' });
    expect(await fetchClientJwks(`${base}/not-a-set`, options)).toEqual({ ok: false, reason: 'the answer is not a JWK Set' });
  });

  it('refuses loopback and private URLs in production by their text, before any lookup', async () => {
    const { asked, resolveHost } = loopbackResolver();
    const options = { mode: 'production' as const, clock: new ManualClock(), resolveHost, ca: TEST_TLS_CERT };
    const connections = tls.connections + plain.connections;
    const port = tls.port;
    const refusals: [string, string][] = [
      [`https://127.0.0.1:${port}/keys`, 'refused: the jwks_uri must point to a public address'],
      [`https://localhost:${port}/keys`, 'refused: the jwks_uri must point to a public address'],
      [`https://[::ffff:127.0.0.1]:${port}/keys`, 'refused: the jwks_uri must point to a public address'],
      [`http://receiver.test:${plain.port}/keys`, 'refused: the jwks_uri must use https'],
    ];
    for (const [uri, reason] of refusals) expect(await fetchClientJwks(uri, options), uri).toEqual({ ok: false, reason });
    expect(asked).toEqual([]);
    expect(tls.connections + plain.connections).toBe(connections);
  });

  it('refuses a name that resolves to 127.0.0.1 in production at resolve time, with no connection made', async () => {
    const { asked, resolveHost } = loopbackResolver();
    const connections = tls.connections;
    const requests = tls.requests.length;
    const result = await fetchClientJwks(`https://receiver.test:${tls.port}/keys/production`, { mode: 'production', clock: new ManualClock(), resolveHost, ca: TEST_TLS_CERT });
    expect(result).toEqual({ ok: false, reason: 'refused: the host resolves to a non-public address' });
    // The text check let the name through; the guard in the connection's own lookup stopped it.
    expect(asked).toEqual(['receiver.test']);
    expect(tls.connections).toBe(connections);
    expect(tls.requests.length).toBe(requests);
  });

  it('fetches over TLS from the same name resolving to 127.0.0.1 where private addresses are allowed (development)', async () => {
    const { asked, resolveHost } = loopbackResolver();
    const connections = tls.connections;
    const requests = tls.requests.length;
    const result = await fetchClientJwks(`https://receiver.test:${tls.port}/keys/development`, { mode: 'development', clock: new ManualClock(), resolveHost, ca: TEST_TLS_CERT });
    expect(result).toEqual({ ok: true, keys: KEYS });
    expect(asked).toEqual(['receiver.test']);
    expect(tls.connections).toBe(connections + 1);
    expect(tls.requests.slice(requests).map((r) => r.path)).toEqual(['/keys/development']);
  });

  it('checks the certificate: without the extra trust anchor the TLS handshake fails', async () => {
    const { resolveHost } = loopbackResolver();
    const requests = tls.requests.length;
    const result = await fetchClientJwks(`https://receiver.test:${tls.port}/keys/untrusted`, { mode: 'development', clock: new ManualClock(), resolveHost });
    expect(result).toEqual({ ok: false, reason: 'connection failed: DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(tls.requests.length).toBe(requests);
  });
});
