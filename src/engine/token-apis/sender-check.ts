import type { EngineContext } from '../context.js';
import { codes, type ResultCode } from '../../wire/result-codes.js';
import { constantTimeEqual } from '../../lib/keyring.js';
import { currentNonce } from '../dpop/dpop-nonce.js';
import { verifyDpopProof } from '../dpop/dpop-proof.js';
import { certificateThumbprint } from '../tokens/certificate-thumbprint.js';
import { confirmationOf } from '../tokens/mint-tokens.js';
import { dpopNonceRequired } from '../tokens/token-binding.js';
import type { ServiceParty } from '../protocol/parties.js';
import { bearerChallenge, dpopChallenge } from './bearer-challenge.js';
import type { FoundToken } from './find-token.js';

/** What a resource request presented beside the access token (Authlete's introspection and userinfo fields). */
export interface Presentation {
  clientCertificate?: string;
  dpop?: string;
  htm?: string;
  htu?: string;
  dpopNonceRequired?: boolean;
}

/** Why a bound token was refused: the result code and the challenge for `WWW-Authenticate`. */
export interface SenderRefusal {
  code: ResultCode;
  challenge: string;
  dpopNonce?: string;
}

/**
 * Whether the presenter of a sender-constrained access token holds what it is bound to: the
 * certificate (RFC 8705 §3: otherwise 401 invalid_token) and the DPoP key, by a fresh proof
 * naming this token (RFC 9449 §4.3 step 12, §7). A DPoP-bound token without a proof is one
 * used as a bearer token, refused (§7.2). A proof beside an unbound token is not checked: the
 * token asks for none, and Authlete's API does not say otherwise. `defaults` are the method and
 * URI Authlete assumes when `htm` / `htu` are absent.
 */
export async function checkSender(
  ctx: EngineContext,
  service: ServiceParty,
  found: FoundToken,
  token: string,
  presented: Presentation,
  defaults: { htm?: string; htu?: string },
): Promise<SenderRefusal | undefined> {
  const cnf = confirmationOf(found.record);
  const x5t = cnf?.['x5t#S256'];
  if (x5t !== undefined) {
    const presentedX5t = certificateThumbprint(presented.clientCertificate);
    if (presentedX5t === undefined || !constantTimeEqual(presentedX5t, x5t)) {
      return { code: codes.presentedCertificateMismatch, challenge: bearerChallenge('invalid_token', codes.presentedCertificateMismatch) };
    }
  }
  const jkt = cnf?.jkt;
  if (jkt === undefined) return undefined;
  if (typeof presented.dpop !== 'string' || presented.dpop === '') {
    return { code: codes.presentedDpopMissing, challenge: dpopChallenge('invalid_token', codes.presentedDpopMissing) };
  }
  const proof = await verifyDpopProof(ctx, presented.dpop, {
    serviceId: service.record.apiKey,
    htm: presented.htm ?? defaults.htm ?? '',
    htu: presented.htu ?? defaults.htu,
    accessToken: token,
    nonceRequired: dpopNonceRequired(service, presented.dpopNonceRequired),
    noncePurpose: 'resource',
  });
  if (!proof.ok) {
    const code = proof.error === 'use_dpop_nonce' ? codes.presentedDpopNonce : codes.presentedDpopInvalid;
    return {
      code,
      challenge: dpopChallenge(proof.error, code, proof.detail),
      ...(proof.error === 'use_dpop_nonce' ? { dpopNonce: currentNonce(ctx, service.record.apiKey, 'resource') } : {}),
    };
  }
  if (!constantTimeEqual(proof.jkt, jkt)) return { code: codes.presentedDpopKeyMismatch, challenge: dpopChallenge('invalid_token', codes.presentedDpopKeyMismatch) };
  return undefined;
}

/** The nonce resource answers carry where nonces are required (RFC 9449 §9). */
export const resourceNonce = (ctx: EngineContext, service: ServiceParty, presented: Presentation) =>
  dpopNonceRequired(service, presented.dpopNonceRequired) ? currentNonce(ctx, service.record.apiKey, 'resource') : undefined;
