import { lookup } from 'node:dns/promises';
import type { JWK } from 'jose';
import type { Mode } from '../context.js';
import { checkOutboundUrl, isNonPublicAddress } from '../wire/urls.js';

const MAX_BYTES = 256 * 1024;
const TIMEOUT_MS = 5_000;
const CACHE_MS = 60_000;
const cache = new Map<string, { keys: JWK[]; until: number }>();

/**
 * Fetches a client's JWK Set from its jwks_uri: no redirects, a size and time limit, and in
 * production only public addresses (checked on the resolved address). Cached briefly, so
 * key rotation at the client shows within a minute. Failures give no keys (and so a failed
 * signature check), never an exception.
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
    if (!response.ok) return [];
    const text = await response.text();
    if (text.length > MAX_BYTES) return [];
    const parsed = JSON.parse(text) as { keys?: unknown };
    const keys = Array.isArray(parsed.keys) ? (parsed.keys as JWK[]) : [];
    cache.set(uri, { keys, until: Date.now() + CACHE_MS });
    return keys;
  } catch {
    return [];
  }
}
