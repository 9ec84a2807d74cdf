import type { EngineContext } from '../context.js';
import type { ServiceRecord } from '../../store/ports.js';
import type { JwkSet } from './service-keys.js';
import { publishedKeys, retentionMs, signingKeys, type StoredKeySet } from './key-schedule.js';

/** The service's sealed key set as stored: every key, retired ones too, and their times. */
export function openStoredKeySet(ctx: EngineContext, record: ServiceRecord): StoredKeySet | undefined {
  return record.jwksSealed ? (JSON.parse(ctx.keyring.open(record.jwksSealed)) as StoredKeySet) : undefined;
}

/**
 * Both views of the key set now, from one unsealing. `published` is the JWK Set everyone sees
 * (service/get's `jwks`, service/jwks/get, the front's /jwks): the next key before it signs, the
 * current ones, and replaced keys until the tokens they signed have expired, in private form
 * (publish `publicJwks` of it). `signing` is each algorithm's current key.
 */
export function openKeyViews(ctx: EngineContext, record: ServiceRecord): { signing: JwkSet | undefined; published: JwkSet | undefined } {
  const set = openStoredKeySet(ctx, record);
  if (!set) return { signing: undefined, published: undefined };
  const now = ctx.clock.now();
  const retention = retentionMs(record.data);
  return { signing: signingKeys(set, now, retention), published: publishedKeys(set, now, retention) };
}

export const openServiceJwks = (ctx: EngineContext, record: ServiceRecord): JwkSet | undefined => openKeyViews(ctx, record).published;
export const openSigningJwks = (ctx: EngineContext, record: ServiceRecord): JwkSet | undefined => openKeyViews(ctx, record).signing;
