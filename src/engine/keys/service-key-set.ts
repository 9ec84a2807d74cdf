import type { EngineContext } from '../context.js';
import type { ServiceRecord } from '../../store/ports.js';
import type { JwkSet } from './service-keys.js';
import { publishedKeys, retentionMs, signingKeys, type StoredKeySet } from './key-schedule.js';

/** The service's sealed key set as stored: every key, retired ones too, and their times. */
export function openStoredKeySet(ctx: EngineContext, record: ServiceRecord): StoredKeySet | undefined {
  return record.jwksSealed ? (JSON.parse(ctx.keyring.open(record.jwksSealed)) as StoredKeySet) : undefined;
}

/**
 * The service's JWK Set as everyone sees it now (service/get's `jwks`, service/jwks/get, the
 * front's /jwks): the next key before it signs, the current ones, and replaced keys until the
 * tokens they signed have expired. Private form; publish `publicJwks` of it.
 */
export function openServiceJwks(ctx: EngineContext, record: ServiceRecord): JwkSet | undefined {
  const set = openStoredKeySet(ctx, record);
  return set && publishedKeys(set, ctx.clock.now(), retentionMs(record.data));
}

/** The keys that sign now: for each algorithm its current key. */
export function openSigningJwks(ctx: EngineContext, record: ServiceRecord): JwkSet | undefined {
  const set = openStoredKeySet(ctx, record);
  return set && signingKeys(set, ctx.clock.now(), retentionMs(record.data));
}
