import type { FastifyRequest } from 'fastify';
import type { OpContext } from '../op-context.js';

/** How many times a header appears in the request as sent (Node joins or drops repeats). */
export function headerCount(request: FastifyRequest, name: string): number {
  const raw = request.raw.rawHeaders;
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) count += 1;
  return count;
}

/**
 * The request's DPoP proof (RFC 9449 §4.1): undefined when absent, 'multiple' when the header
 * appears more than once, which §4.3 step 1 refuses.
 */
export function dpopProof(request: FastifyRequest): string | undefined | 'multiple' {
  if (headerCount(request, 'dpop') > 1) return 'multiple';
  const value = request.headers.dpop;
  return typeof value === 'string' ? value.trim() : undefined;
}

/**
 * The URI the client addressed, for DPoP `htu`: the configured public URL and the endpoint's
 * path, never the Host header, which the client chooses (reference §2.2).
 */
export const endpointUri = (op: OpContext, serviceId: number, endpoint: 'token' | 'userinfo') => `${op.publicUrl}/s/${serviceId}/${endpoint}`;

/** The `DPoP-Nonce` header of an answer that carries a nonce (RFC 9449 §8, §9). */
export const nonceHeader = (answer: { dpopNonce?: string | undefined }): Record<string, string> =>
  typeof answer.dpopNonce === 'string' && answer.dpopNonce !== '' ? { 'dpop-nonce': answer.dpopNonce } : {};
