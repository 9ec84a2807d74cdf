import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { JWK } from 'jose';
import type { Mode } from '../context.js';
import { addressPolicy, makeLookup, systemResolveHost } from '../net/guarded-lookup.js';
import { checkOutboundUrl } from '../wire/urls.js';

const MAX_BYTES = 256 * 1024;
const TIMEOUT_MS = 5_000;
const CACHE_MS = 60_000;
/** A failed fetch is not repeated for a while: failed client authentications must not fan out. */
const FAILURE_CACHE_MS = 10_000;
const MAX_CACHED = 1_000;
const cache = new Map<string, { keys: JWK[]; until: number }>();

function remember(key: string, keys: JWK[], ms: number): JWK[] {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, { keys, until: Date.now() + ms });
  return keys;
}

/**
 * Fetches a client's JWK Set from its jwks_uri: no redirects, a size and time limit, and in
 * production only public addresses — checked in the connection's own name resolution, so the
 * address checked is the address used. Cached for a minute (key rotation at the client shows
 * within that), failures for a few seconds. Failures give no keys (and so a failed signature
 * check), never an exception.
 */
export async function fetchClientJwks(uri: string, mode: Mode): Promise<JWK[]> {
  const key = `${mode} ${uri}`;
  const cached = cache.get(key);
  if (cached && cached.until > Date.now()) return cached.keys;
  if (checkOutboundUrl(uri, mode)) return remember(key, [], FAILURE_CACHE_MS);
  const text = await getText(new URL(uri), mode);
  if (text === undefined) return remember(key, [], FAILURE_CACHE_MS);
  try {
    const parsed = JSON.parse(text) as { keys?: unknown };
    return remember(key, Array.isArray(parsed.keys) ? (parsed.keys as JWK[]) : [], CACHE_MS);
  } catch {
    return remember(key, [], FAILURE_CACHE_MS);
  }
}

/** One GET; the body as text when the answer is 200 and within the size limit, else undefined. */
function getText(url: URL, mode: Mode): Promise<string | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (value: string | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      request.destroy();
      resolve(value);
    };
    const onResponse = (response: IncomingMessage) => {
      if (response.statusCode !== 200) return finish(undefined);
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BYTES) return finish(undefined);
        chunks.push(chunk);
      });
      response.on('end', () => finish(Buffer.concat(chunks).toString('utf8')));
      response.on('error', () => finish(undefined));
    };
    const options = {
      method: 'GET',
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      headers: { accept: 'application/jwk-set+json, application/json', 'user-agent': 'OpenCIBA' },
      // A fresh connection each time: a pooled socket would skip the address check.
      agent: false as const,
      lookup: makeLookup(systemResolveHost, addressPolicy(url, { mode })),
    };
    const request = url.protocol === 'https:' ? httpsRequest({ ...options, minVersion: 'TLSv1.2' }, onResponse) : httpRequest(options, onResponse);
    request.on('error', () => finish(undefined));
    const timer = setTimeout(() => finish(undefined), TIMEOUT_MS);
    request.end();
  });
}
