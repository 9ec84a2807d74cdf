import type { EngineContext } from '../context.js';
import { constantTimeEqual } from '../../lib/keyring.js';

/**
 * Stateless DPoP nonces (RFC 9449 §8, §9): a nonce is a keyed digest of a time window, so every
 * node sharing the master key issues and accepts the same values without a table. A nonce is
 * accepted in its own window and the next one, so it lives between one and two windows.
 * `purpose` keeps the authorization server's nonces apart from the resource servers' (RFC 9449
 * §9: a nonce is accepted only where it was issued).
 */
export const NONCE_WINDOW_MS = 5 * 60_000;

export type NoncePurpose = 'token' | 'resource';

const nonceOf = (ctx: EngineContext, serviceId: number, purpose: NoncePurpose, window: number) =>
  ctx.keyring.digest(`dpop-nonce\u0000${serviceId}\u0000${purpose}\u0000${window}`);

/** The nonce a client is told to use now (the `DPoP-Nonce` header, Authlete's `dpopNonce`). */
export function currentNonce(ctx: EngineContext, serviceId: number, purpose: NoncePurpose): string {
  return nonceOf(ctx, serviceId, purpose, Math.floor(ctx.clock.now() / NONCE_WINDOW_MS));
}

export function nonceAccepted(ctx: EngineContext, serviceId: number, purpose: NoncePurpose, nonce: unknown): boolean {
  if (typeof nonce !== 'string' || nonce.length > 128) return false;
  const window = Math.floor(ctx.clock.now() / NONCE_WINDOW_MS);
  // Both compared, so the time taken does not tell which window matched.
  const current = constantTimeEqual(nonce, nonceOf(ctx, serviceId, purpose, window));
  const previous = constantTimeEqual(nonce, nonceOf(ctx, serviceId, purpose, window - 1));
  return current || previous;
}
