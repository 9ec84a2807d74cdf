import type { OpContext } from '../op-context.js';

/**
 * Whether a token answer the engine gave about `subject` may stand (RFC 7662 §2.2: a token that is
 * no longer valid is not active). In-process, locking or deleting a user revoked her tokens and
 * requests in the same transaction (UserStore.putUser/deleteUser), and a subject the directory
 * does not hold may be another authority's user (the Authlete API used directly): nothing to check.
 * A remote engine (OPENCIBA_ENGINE_URL, or Authlete itself) keeps its own database, which the lock
 * never reaches; there the front is the authority for its users, and only an active user of its
 * directory holds tokens, as at userinfo.
 */
export async function userMayHoldTokens(op: OpContext, serviceId: number, subject: string): Promise<boolean> {
  if (!op.engineRemote) return true;
  return (await op.store.getUser(serviceId, subject))?.status === 'active';
}
