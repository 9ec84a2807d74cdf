import type { JWK } from 'jose';
import type { EngineContext } from '../context.js';
import { forgetService } from '../cache/party-caches.js';
import { echoed } from '../../lib/error-description.js';
import { ID_TOKEN_SIGNING_ALGS } from '../../wire/enums.js';
import type { ServiceRecord } from '../../store/ports.js';
import { algOfKey, keyState, retentionMs, retirementOf, type KeyState, type KeyTimes, type StoredKeySet } from './key-schedule.js';
import { openStoredKeySet } from './service-key-set.js';
import { generateSigningKey } from './service-keys.js';

/**
 * How long a new key is published before it signs, unless the server is told otherwise
 * (OPENCIBA_KEY_PREPUBLICATION_SECONDS): ten minutes, the longest a relying party commonly keeps
 * a JWK Set it fetched (jose's remote JWK Set default), so that none meets a kid it has not seen.
 */
export const DEFAULT_KEY_PREPUBLICATION_MS = 600_000;

/** One key as `GET /admin/services/{id}/keys` shows it: never private material. */
export interface KeyView {
  kid: string;
  alg: string;
  use: 'sig';
  state: KeyState;
  createdAt: string;
  activatesAt?: string;
  retiresAt?: string;
}

export interface KeyListing {
  keys: KeyView[];
}

/** What a rotation did: the listing, and each new key (for an audit record of the change). */
export interface KeyRotation extends KeyListing {
  rotated: { alg: string; kid: string; activatesAt: string; replaced: string[] }[];
}

/** A refusal of a key operation, mapped to an OAuth-style JSON error at the edge. */
export interface KeyRefusal {
  kind: 'key-refusal';
  status: 400 | 404 | 409;
  error: 'invalid_request' | 'not_found' | 'rotation_pending';
  description: string;
}

const refusal = (status: KeyRefusal['status'], error: KeyRefusal['error'], description: string): KeyRefusal => ({ kind: 'key-refusal', status, error, description });

export function isKeyRefusal(value: unknown): value is KeyRefusal {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'key-refusal';
}

const iso = (ms: number) => new Date(ms).toISOString();

function viewOf(set: StoredKeySet, record: ServiceRecord, now: number): KeyView[] {
  const retention = retentionMs(record.data);
  return set.keys
    .filter((k) => k.use !== 'enc' && k.kty !== 'oct')
    .map((k) => {
      const times: KeyTimes | undefined = typeof k.kid === 'string' ? set.schedule?.[k.kid] : undefined;
      const retiresAt = times && retirementOf(times, retention);
      return {
        kid: String(k.kid ?? ''),
        alg: algOfKey(k),
        use: 'sig' as const,
        state: keyState(times, now, retention),
        createdAt: iso(times?.createdAt ?? record.createdAt),
        ...(times?.activatesAt !== undefined ? { activatesAt: iso(times.activatesAt) } : {}),
        ...(retiresAt !== undefined ? { retiresAt: iso(retiresAt) } : {}),
      };
    });
}

/** `GET /admin/services/{id}/keys`: every signing key of the service with its state now. */
export async function listServiceKeys(ctx: EngineContext, serviceId: number): Promise<KeyListing | KeyRefusal> {
  const record = await ctx.store.getService(serviceId);
  if (!record) return refusal(404, 'not_found', 'No such service.');
  return { keys: viewOf(openStoredKeySet(ctx, record) ?? { keys: [] }, record, ctx.clock.now()) };
}

/**
 * `POST /admin/services/{id}/keys/rotate` and `openciba key rotate`, the one place a rotation
 * happens: for `alg` (else for every algorithm that has a current key) a new key is published
 * now and signs after the pre-publication time; the keys it replaces stay published until the
 * tokens they signed have expired. A rotation of an algorithm whose next key is not yet signing
 * is refused (409) rather than replacing that key: a repeated click must not restart the clock,
 * and the answer says when the pending key activates. Retired keys are dropped here.
 */
export async function rotateServiceKeys(ctx: EngineContext, serviceId: number, input: { alg?: string }): Promise<KeyRotation | KeyRefusal> {
  if (input.alg !== undefined && !(ID_TOKEN_SIGNING_ALGS as readonly string[]).includes(input.alg)) {
    return refusal(400, 'invalid_request', `The alg ${echoed(input.alg)} is not supported for signing keys; use one of ${ID_TOKEN_SIGNING_ALGS.join(', ')}.`);
  }
  const record = await ctx.store.getService(serviceId);
  if (!record) return refusal(404, 'not_found', 'No such service.');
  const stored = openStoredKeySet(ctx, record) ?? { keys: [] };
  const now = ctx.clock.now();
  const retention = retentionMs(record.data);
  const stateOf = (k: JWK) => keyState(typeof k.kid === 'string' ? stored.schedule?.[k.kid] : undefined, now, retention);
  const live = stored.keys.filter((k) => stateOf(k) !== 'retired');
  const signing = live.filter((k) => stateOf(k) === 'current' && 'd' in k && k.use !== 'enc' && k.kty !== 'oct');

  const algs = input.alg !== undefined ? [input.alg] : [...new Set(signing.map(algOfKey))].filter((a) => (ID_TOKEN_SIGNING_ALGS as readonly string[]).includes(a));
  if (algs.length === 0) return refusal(400, 'invalid_request', `The service has no current key to rotate; name the alg, one of ${ID_TOKEN_SIGNING_ALGS.join(', ')}.`);
  const pending = live.find((k) => stateOf(k) === 'next' && algs.includes(algOfKey(k)));
  if (pending) {
    const at = stored.schedule?.[String(pending.kid)]?.activatesAt ?? now;
    return refusal(409, 'rotation_pending', `A new ${algOfKey(pending)} key is already waiting to sign from ${iso(at)}; rotate again after that.`);
  }

  const activatesAt = now + (ctx.keyPrePublicationMs ?? DEFAULT_KEY_PREPUBLICATION_MS);
  const schedule: Record<string, KeyTimes> = {};
  for (const k of live) if (typeof k.kid === 'string' && stored.schedule?.[k.kid]) schedule[k.kid] = stored.schedule[k.kid]!;
  const rotated: KeyRotation['rotated'] = [];
  const added: JWK[] = [];
  for (const alg of algs) {
    const key = await generateSigningKey(alg);
    const replaced = signing.filter((k) => algOfKey(k) === alg);
    for (const old of replaced) {
      // A key set given by hand may lack kids; a replaced key needs one to carry its times.
      old.kid ??= `${alg.toLowerCase()}-${record.createdAt}-${live.indexOf(old)}`;
      schedule[old.kid] = { ...(schedule[old.kid] ?? { createdAt: record.createdAt }), supersededAt: activatesAt, retiresAt: activatesAt + retention };
    }
    schedule[key.kid!] = { createdAt: now, activatesAt };
    added.push(key);
    rotated.push({ alg, kid: key.kid!, activatesAt: iso(activatesAt), replaced: replaced.map((k) => String(k.kid)) });
  }

  const next: StoredKeySet = { keys: [...live, ...added], schedule };
  if (!(await ctx.store.replaceServiceKeys(serviceId, record.jwksSealed, ctx.keyring.seal(JSON.stringify(next)), now))) {
    return refusal(409, 'rotation_pending', 'The service keys changed while rotating (another rotation or update); list them and try again.');
  }
  forgetService(ctx.store, serviceId);
  return { keys: viewOf(next, { ...record, modifiedAt: now }, now), rotated };
}
