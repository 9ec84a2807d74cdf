import { decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import { invalidClient, invalidRequest, isOAuthError, type OAuthError } from '../protocol/oauth-error.js';
import type { ClientAuthInput } from './types.js';

/** A client assertion as sent, decoded but NOT verified: only good for routing to a client. */
export interface PresentedAssertion {
  jwt: string;
  /** The `client_assertion_type` parameter, if any. */
  type: string | undefined;
  alg: string;
  kid: string | undefined;
  claims: JWTPayload;
}

/** The one way of proving identity the client chose (a TLS certificate is not counted: see below). */
export type PresentedMethod = 'secret-basic' | 'secret-post' | 'assertion';

export interface PresentedCredentials {
  basicClientId: string | undefined;
  formClientId: string | undefined;
  basicSecret: string | undefined;
  formSecret: string | undefined;
  assertion: PresentedAssertion | undefined;
  certificate: string | undefined;
  /** The presented intermediates (Authlete's clientCertificatePath); entries are checked when the chain is built. */
  certificatePath: readonly unknown[];
  method: PresentedMethod | undefined;
}

const AUTH_PARAMETERS = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'] as const;

/**
 * Reads what the client presented and rejects requests that are malformed before any client is
 * looked up: repeated parameters and more than one authentication method.
 */
export function readPresentedCredentials(input: ClientAuthInput): PresentedCredentials | OAuthError {
  const params = readAuthParameters(input.parameters);
  if (isOAuthError(params)) return params;

  const basicSecret = nonEmpty(input.clientSecret);
  const formSecret = params.client_secret;
  const assertionJwt = params.client_assertion;

  // RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
  // A TLS certificate is not counted: with private_key_jwt or a secret plus certificate-bound tokens
  // (RFC 8705 §3) every request carries one, so it only authenticates when the client is registered so.
  const methods: PresentedMethod[] = [];
  if (basicSecret !== undefined) methods.push('secret-basic');
  if (formSecret !== undefined) methods.push('secret-post');
  if (assertionJwt !== undefined) methods.push('assertion');
  if (methods.length > 1) return invalidRequest('more than one client authentication method was used');

  let assertion: PresentedAssertion | undefined;
  if (assertionJwt !== undefined) {
    const decoded = decodeAssertion(assertionJwt, params.client_assertion_type);
    if (isOAuthError(decoded)) return decoded;
    assertion = decoded;
  }

  return {
    basicClientId: nonEmpty(input.clientId),
    formClientId: params.client_id,
    basicSecret,
    formSecret,
    assertion,
    certificate: nonEmpty(input.clientCertificate),
    certificatePath: Array.isArray(input.clientCertificatePath) ? input.clientCertificatePath : [],
    method: methods[0],
  };
}

type AuthParameters = Partial<Record<(typeof AUTH_PARAMETERS)[number], string>>;

function readAuthParameters(parameters: URLSearchParams): AuthParameters | OAuthError {
  const read: AuthParameters = {};
  for (const name of AUTH_PARAMETERS) {
    const values = parameters.getAll(name);
    // RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once."
    if (values.length > 1) return invalidRequest(`the ${name} parameter is repeated`);
    const value = nonEmpty(values[0]);
    if (value !== undefined) read[name] = value;
  }
  return read;
}

/** RFC 6749 §3.1: "Parameters sent without a value MUST be treated as if they were omitted." */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function decodeAssertion(jwt: string, type: string | undefined): PresentedAssertion | OAuthError {
  const malformed = invalidClient('client_assertion is not a well-formed signed JWT');
  try {
    const header = decodeProtectedHeader(jwt);
    const claims = decodeJwt(jwt);
    if (typeof header.alg !== 'string') return malformed;
    if (header.kid !== undefined && typeof header.kid !== 'string') return malformed;
    return { jwt, type, alg: header.alg, kid: header.kid, claims };
  } catch {
    return malformed;
  }
}
