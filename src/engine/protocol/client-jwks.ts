import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { JWK } from 'jose';
import { systemClock, type Clock } from '../../lib/clock.js';
import type { Mode } from '../../lib/mode.js';
import { AddressRefused, guardedRequestOptions, type OutboundOptions } from '../../lib/guarded-lookup.js';
import { checkOutboundUrl } from '../../lib/urls.js';

const MAX_BYTES = 256 * 1024;
const TIMEOUT_MS = 5_000;
export const JWKS_CACHE_MS = 60_000;
/** A failed fetch is not repeated for a while: failed client authentications must not fan out. */
export const JWKS_FAILURE_CACHE_MS = 10_000;
const MAX_CACHED = 1_000;

/**
 * The same resolver and trust anchors as notification delivery. No `allowPrivateAddresses`:
 * a jwks_uri follows the mode's rules alone.
 */
export interface JwksFetchOptions extends Pick<OutboundOptions, 'resolveHost' | 'ca'> {
  mode: Mode;
  /** Ages the cache; tests pass a manual clock. */
  clock?: Clock;
}

/** The keys, or why there are none (for logs and tests; never shown to the client). */
export type JwksFetch = { ok: true; keys: JWK[] } | { ok: false; reason: string };

type Cache = Map<string, { result: JwksFetch; until: number }>;
// One cache per clock: entries are aged by the clock that stored them (one in production).
const caches = new WeakMap<Clock, Cache>();

function cacheOf(clock: Clock): Cache {
  let cache = caches.get(clock);
  if (!cache) caches.set(clock, (cache = new Map()));
  return cache;
}

function remember(cache: Cache, clock: Clock, key: string, result: JwksFetch): JwksFetch {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, { result, until: clock.now() + (result.ok ? JWKS_CACHE_MS : JWKS_FAILURE_CACHE_MS) });
  return result;
}

/**
 * Fetches a client's JWK Set from its jwks_uri: no redirects, a size and time limit, and in
 * production only public addresses — checked in the connection's own name resolution, so the
 * address checked is the address used. Cached for a minute (key rotation at the client shows
 * within that), failures for a few seconds. Never throws.
 */
export async function fetchClientJwks(uri: string, options: JwksFetchOptions): Promise<JwksFetch> {
  const clock = options.clock ?? systemClock;
  const cache = cacheOf(clock);
  const key = `${options.mode} ${uri}`;
  const cached = cache.get(key);
  if (cached && cached.until > clock.now()) return cached.result;
  const problem = checkOutboundUrl(uri, options.mode);
  if (problem) return remember(cache, clock, key, { ok: false, reason: `refused: the jwks_uri ${problem}` });
  const answer = await getText(new URL(uri), options);
  return remember(cache, clock, key, 'reason' in answer ? { ok: false, reason: answer.reason } : parseJwkSet(answer.text));
}

function parseJwkSet(text: string): JwksFetch {
  try {
    const parsed = JSON.parse(text) as { keys?: unknown } | null;
    if (parsed !== null && typeof parsed === 'object' && Array.isArray(parsed.keys)) return { ok: true, keys: parsed.keys as JWK[] };
  } catch {
    // Falls through to the same answer as JSON of the wrong shape.
  }
  return { ok: false, reason: 'the answer is not a JWK Set' };
}

function describeError(error: Error): string {
  if (error instanceof AddressRefused) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  return `connection failed: ${code ?? error.message}`;
}

/** One GET; the body as text when the answer is 200 and within the size limit. */
function getText(url: URL, options: JwksFetchOptions): Promise<{ text: string } | { reason: string }> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (value: { text: string } | { reason: string }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      request.destroy();
      resolve(value);
    };
    const onResponse = (response: IncomingMessage) => {
      if (response.statusCode !== 200) return finish({ reason: `HTTP ${response.statusCode}` });
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BYTES) return finish({ reason: `the JWK Set is larger than ${MAX_BYTES} bytes` });
        chunks.push(chunk);
      });
      response.on('end', () => finish({ text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', (error) => finish({ reason: describeError(error) }));
    };
    const requestOptions = {
      method: 'GET',
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      headers: { accept: 'application/jwk-set+json, application/json', 'user-agent': 'OpenCIBA' },
      ...guardedRequestOptions(url, { mode: options.mode, ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}), ...(options.ca ? { ca: options.ca } : {}) }),
    };
    const request = url.protocol === 'https:' ? httpsRequest(requestOptions, onResponse) : httpRequest(requestOptions, onResponse);
    request.on('error', (error) => finish({ reason: describeError(error) }));
    const timer = setTimeout(() => finish({ reason: `timed out after ${TIMEOUT_MS} ms` }), TIMEOUT_MS);
    request.end();
  });
}
