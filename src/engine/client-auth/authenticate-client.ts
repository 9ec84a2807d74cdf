import { invalidClient, isOAuthError, type OAuthError } from '../protocol/oauth-error.js';
import { verifyClientAssertion } from './client-assertion.js';
import { verifyClientSecret } from './client-secret.js';
import { identifyClient } from './identify-client.js';
import { methodName } from './method-names.js';
import { readPresentedCredentials, type PresentedCredentials, type PresentedMethod } from './presented-credentials.js';
import { verifySelfSignedTlsClientAuth, verifyTlsClientAuth } from './tls-client-auth.js';
import type { AuthClient, AuthenticatedClient, ClientAuthContext, ClientAuthInput, ClientAuthMethod } from './types.js';

/**
 * Client authentication at the backchannel authentication endpoint (CIBA §7.1: "the Client MUST
 * authenticate ... using the authentication method registered for its client_id") and at the token
 * endpoint (RFC 6749 §3.2.1). Failures come back as values: `invalid_client` (401), or
 * `invalid_request` (400) for a request that is malformed before any client is known.
 *
 * Exceptions thrown by `ctx.findClient` and `ctx.claimJti` are storage faults and propagate;
 * a failure of `ctx.clientKeys` (typically a jwks_uri) is the client's and becomes invalid_client.
 */
export async function authenticateClient(input: ClientAuthInput, ctx: ClientAuthContext): Promise<AuthenticatedClient | OAuthError> {
  const presented = readPresentedCredentials(input);
  if (isOAuthError(presented)) return presented;

  const client = await identifyClient(presented, ctx);
  if (isOAuthError(client)) return client;

  const failure = refuseClient(client) ?? checkSupportedMethod(client, ctx) ?? checkProfileMethod(client, ctx) ?? checkPresentedMethod(client.tokenAuthMethod, presented) ?? (await verifyRegisteredMethod(client, presented, ctx));
  return failure ?? { kind: 'authenticated-client', client, method: client.tokenAuthMethod };
}

// CIBA §7.1 requires client authentication, which a public client (method none) cannot perform.
function refuseClient(client: AuthClient): OAuthError | undefined {
  if (client.locked === true) return invalidClient('the client is locked');
  if (client.clientType === 'PUBLIC') return invalidClient('public clients cannot use this endpoint: client authentication is required');
  if (client.tokenAuthMethod === 'NONE') return invalidClient('the client has no authentication method registered: client authentication is required');
  return undefined;
}

// Authlete's supportedTokenAuthMethods (and the revocation and introspection lists): a method the
// service does not support fails however well the client performs it, so narrowing the list takes
// effect for clients registered before it was narrowed.
function checkSupportedMethod(client: AuthClient, ctx: ClientAuthContext): OAuthError | undefined {
  if (ctx.supportedMethods === undefined || ctx.supportedMethods.includes(client.tokenAuthMethod)) return undefined;
  return invalidClient(`the client's authentication method ${methodName(client.tokenAuthMethod)} is not supported by the service at this endpoint`);
}

// A profile (FAPI-CIBA) narrows the methods for clients registered before it applied to them.
function checkProfileMethod(client: AuthClient, ctx: ClientAuthContext): OAuthError | undefined {
  const profile = ctx.profile?.(client);
  if (profile === undefined || profile.methods.includes(client.tokenAuthMethod)) return undefined;
  return invalidClient(`the client's authentication method ${methodName(client.tokenAuthMethod)} is not allowed: ${profile.methodRule}`);
}

/** How a client registered with each method must present its credentials; a certificate is not a presented method. */
const EXPECTED_PRESENTATION: Readonly<Record<Exclude<ClientAuthMethod, 'NONE'>, PresentedMethod | undefined>> = {
  CLIENT_SECRET_BASIC: 'secret-basic',
  CLIENT_SECRET_POST: 'secret-post',
  CLIENT_SECRET_JWT: 'assertion',
  PRIVATE_KEY_JWT: 'assertion',
  TLS_CLIENT_AUTH: undefined,
  SELF_SIGNED_TLS_CLIENT_AUTH: undefined,
};

const PRESENTATION_NAMES: Readonly<Record<PresentedMethod, string>> = {
  'secret-basic': 'a client secret in HTTP Basic authentication',
  'secret-post': 'client_secret in the request body',
  assertion: 'a client_assertion',
};

// Only the registered method counts (RFC 7591 §2 token_endpoint_auth_method): a client_secret_basic
// client may not switch to the body, and a private_key_jwt client may not fall back to client_id
// alone (conformance #33/#34).
function checkPresentedMethod(registered: ClientAuthMethod, presented: PresentedCredentials): OAuthError | undefined {
  if (registered === 'NONE') return undefined; // Refused earlier; kept total for the type checker.
  const expected = EXPECTED_PRESENTATION[registered];
  if (presented.method === expected) return undefined;
  const name = methodName(registered);
  if (presented.method === undefined && expected !== undefined) return invalidClient(`${name} requires ${PRESENTATION_NAMES[expected]}`);
  const used = presented.method === undefined ? 'no credentials' : PRESENTATION_NAMES[presented.method];
  return invalidClient(`the client is registered for ${name} but presented ${used}`);
}

async function verifyRegisteredMethod(client: AuthClient, presented: PresentedCredentials, ctx: ClientAuthContext): Promise<OAuthError | undefined> {
  const method = client.tokenAuthMethod;
  switch (method) {
    case 'CLIENT_SECRET_BASIC':
      return verifyClientSecret(client, presented.basicSecret ?? '');
    case 'CLIENT_SECRET_POST':
      return verifyClientSecret(client, presented.formSecret ?? '');
    case 'CLIENT_SECRET_JWT':
    case 'PRIVATE_KEY_JWT':
      return presented.assertion === undefined ? invalidClient(`${methodName(method)} requires a client_assertion`) : verifyClientAssertion(client, presented.assertion, ctx);
    case 'TLS_CLIENT_AUTH':
      return verifyTlsClientAuth(client, presented.certificate, presented.certificatePath, ctx);
    case 'SELF_SIGNED_TLS_CLIENT_AUTH':
      return verifySelfSignedTlsClientAuth(client, presented.certificate, ctx);
    case 'NONE':
      return invalidClient('client authentication is required');
    default: {
      // An unknown value from storage must fail closed.
      const unknown: never = method;
      void unknown;
      return invalidClient('the client has an unsupported authentication method registered');
    }
  }
}
