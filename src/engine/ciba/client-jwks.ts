import { lookup } from 'node:dns/promises';
import type { JWK } from 'jose';
import type { Mode } from '../context.js';
import { checkOutboundUrl, isNonPublicAddress } from '../wire/urls.js';

const MAX_BYTES = 256 * 1024;
const TIMEOUT_MS = 5_000;
const CACHE_MS = 60_000;
/** A failed fetch is not repeated for a while: failed client authentications must not fan out. */
const FAILURE_CACHE_MS = 10_000;
const MAX_CACHED = 1_000;
const cache = new Map<string, { keys: JWK[]; until: number }>();

function remember(uri: string, keys: JWK[], ms: number): JWK[] {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(uri, { keys, until: Date.now() + ms });
  return keys;
}

/**
 * Fetches a client's JWK Set from its jwks_uri: no redirects, a size and time limit, and in
 * production only public addresses (checked on the resolved address; the fetch resolves the
 * name again, a DNS-rebinding window that the notification dispatcher, which pins the checked
 * address, does not have). Cached briefly, so key rotation at the client shows within a
 * minute; failures for a few seconds. Failures give no keys (and so a failed signature
 * check), never an exception.
 */
export async function fetchClientJwks(uri: string, mode: Mode): Promise<JWK[]> {
  const cached = cache.get(uri);
  if (cached && cached.until > Date.now()) return cached.keys;
  if (checkOutboundUrl(uri, mode)) return [];
  try {
    const url = new URL(uri);
    if (mode === 'production') {
      const addresses = await lookup(url.hostname.replace(/^\[|\]$/g, ''), { all: true });
      if (addresses.length === 0 || addresses.some((a) => isNonPublicAddress(a.address))) return [];
    }
    const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS), headers: { accept: 'application/json' } });
    if (!response.ok || !response.body) return remember(uri, [], FAILURE_CACHE_MS);
    // Read with a byte budget, so a hostile endpoint cannot make us buffer without bound.
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += chunk.byteLength;
      if (size > MAX_BYTES) return remember(uri, [], FAILURE_CACHE_MS);
      chunks.push(chunk);
    }
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { keys?: unknown };
    return remember(uri, Array.isArray(parsed.keys) ? (parsed.keys as JWK[]) : [], CACHE_MS);
  } catch {
    return remember(uri, [], FAILURE_CACHE_MS);
  }
}
