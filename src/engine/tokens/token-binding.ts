import type { EngineContext } from '../context.js';
import { codes } from '../../wire/result-codes.js';
import { refuse, type Refusal } from '../protocol/oauth-error.js';
import type { ClientParty, ServiceParty } from '../protocol/parties.js';
import { currentNonce } from '../dpop/dpop-nonce.js';
import { verifyDpopProof } from '../dpop/dpop-proof.js';
import { certificateThumbprint } from './certificate-thumbprint.js';
import { FAPI_RULES, fapiApplies } from '../fapi/fapi-profile.js';

/** RFC 7800 `cnf` of a sender-constrained token: RFC 9449 §6.1 `jkt`, RFC 8705 §3.1 `x5t#S256`. */
export interface Confirmation {
  jkt?: string;
  'x5t#S256'?: string;
}

/** What a token request proves its sender holds, as the presented parts of /auth/token carry it. */
export interface BindingInput {
  clientCertificate?: string;
  dpop?: string;
  htm?: string;
  htu?: string;
  dpopNonceRequired?: boolean;
}

/**
 * A refusal that may tell the client the nonce to use (RFC 9449 §8, Authlete's `dpopNonce`), and
 * the security rule it enforces, as the audit trail's `security.refused` names it (a nonce to use
 * is the DPoP handshake, not a rule broken, and names none).
 */
export type BindingRefusal = Refusal & { dpopNonce?: string; rule?: 'fapi' | 'certificate_bound' | 'dpop' };

const breaking = (rule: NonNullable<BindingRefusal['rule']>, refusal: Refusal): BindingRefusal => ({ ...refusal, rule });

/** Whether DPoP proofs must carry a server nonce: the service says so, or the API call does. */
export const dpopNonceRequired = (service: ServiceParty, requested: boolean | undefined) => requested === true || service.data.dpopNonceRequired === true;

/**
 * The binding the tokens of this request get. A client registered with
 * `tlsClientCertificateBoundAccessTokens` must present its certificate (RFC 8705 §3.4 leaves
 * the choice between refusing and an unbound token to the server; a client that asked for
 * bound tokens never gets a bearer one). A DPoP proof, when sent, binds to its key (RFC 9449
 * §5); a client registered with `dpopRequired` must send one (§5.2). Under FAPI-CIBA a presented
 * certificate binds the tokens even without the client flag, and a request that binds them to
 * nothing is refused (fapi-profile.ts).
 */
export async function tokenBinding(ctx: EngineContext, service: ServiceParty, client: ClientParty, input: BindingInput): Promise<Confirmation | BindingRefusal> {
  const cnf: Confirmation = {};
  const fapi = fapiApplies(service.data, client.data);
  if (client.data.tlsClientCertificateBoundAccessTokens === true) {
    const x5t = certificateThumbprint(input.clientCertificate);
    if (x5t === undefined) return breaking('certificate_bound', refuse('invalid_request', codes.tokenCertificateRequired));
    cnf['x5t#S256'] = x5t;
  } else if (fapi) {
    // FAPI tokens are always sender-constrained: a presented certificate binds them (RFC 8705 §3).
    const x5t = certificateThumbprint(input.clientCertificate);
    if (x5t !== undefined) cnf['x5t#S256'] = x5t;
  }
  const hasProof = typeof input.dpop === 'string' && input.dpop !== '';
  if (!hasProof) {
    if (client.data.dpopRequired === true) return breaking('dpop', refuse('invalid_dpop_proof', codes.tokenDpopRequired));
    // conformance #45: a FAPI token request with neither a certificate nor a proof is refused.
    if (fapi && cnf['x5t#S256'] === undefined) return breaking('fapi', refuse('invalid_request', codes.tokenCertificateRequired, `The access token cannot be sender-constrained: ${FAPI_RULES.senderConstrained}.`));
    return cnf;
  }
  const nonceRequired = dpopNonceRequired(service, input.dpopNonceRequired);
  const proof = await verifyDpopProof(ctx, input.dpop, {
    serviceId: service.record.apiKey,
    // Authlete's defaults: POST, and the service's token endpoint.
    htm: input.htm ?? 'POST',
    htu: input.htu ?? (typeof service.data.tokenEndpoint === 'string' ? service.data.tokenEndpoint : undefined),
    nonceRequired,
    noncePurpose: 'token',
  });
  if (!proof.ok) {
    if (proof.error === 'use_dpop_nonce') return { ...refuse(proof.error, codes.tokenDpopNonce, proof.detail), dpopNonce: currentNonce(ctx, service.record.apiKey, 'token') };
    return breaking('dpop', refuse(proof.error, codes.tokenDpopInvalid, proof.detail));
  }
  cnf.jkt = proof.jkt;
  return cnf;
}

/**
 * Whether a refresh request presents what its refresh token is bound to. Refresh tokens of
 * public clients are bound (RFC 8705 §4, RFC 9449 §5); those of confidential clients are bound
 * through client authentication and may move to a new key or certificate.
 */
export function refreshBindingHeld(bound: Confirmation | undefined, presented: Confirmation): boolean {
  if (!bound) return true;
  return (bound.jkt === undefined || bound.jkt === presented.jkt) && (bound['x5t#S256'] === undefined || bound['x5t#S256'] === presented['x5t#S256']);
}

/** The binding a new refresh token gets: a public client's is its access token's. */
export const refreshBindingFor = (client: ClientParty, cnf: Confirmation): Confirmation | undefined =>
  client.auth.clientType === 'PUBLIC' && Object.keys(cnf).length > 0 ? cnf : undefined;

export const isBindingRefusal = (value: Confirmation | BindingRefusal): value is BindingRefusal => 'kind' in value;
