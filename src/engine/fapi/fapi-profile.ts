import type { ClientAuthProfile } from '../client-auth/types.js';

/**
 * The FAPI-CIBA profile (FAPI-CIBA ID1 §5.2.2, which builds on FAPI 1.0 Advanced §5.2.2): the one
 * place its rules live. Registration (validate-client), client authentication, request-object
 * verification, the backchannel steps, token binding, ID-token signing and discovery consult
 * these lists and predicates instead of carrying their own FAPI special cases.
 *
 * Who is held to it: every client of a service whose Authlete `supportedServiceProfiles` contains
 * `FAPI`, and any client whose own `fapiModes` contains `FAPI1_ADVANCED`. Authlete reads a client's
 * `fapiModes` only under a FAPI service; OpenCIBA lets a client opt in on its own as well, since a
 * client asking for the stricter profile can only gain from getting it (a design choice where
 * Authlete differs, documented in docs/settings.md).
 *
 * Every refusal text names the rule broken and keeps to the RFC 6749 §5.2 error_description
 * characters (printable ASCII without double quote or backslash), so no section sign either.
 */

/** FAPI 1.0 Advanced §8.6: PS256 or ES256 for every JWS (request objects, assertions, ID tokens). */
export const FAPI_SIGNING_ALGS: readonly string[] = ['PS256', 'ES256'];

/** FAPI 1.0 Advanced §5.2.2-14: the only client authentication methods a FAPI client may use. */
export const FAPI_AUTH_METHODS: readonly string[] = ['PRIVATE_KEY_JWT', 'TLS_CLIENT_AUTH', 'SELF_SIGNED_TLS_CLIENT_AUTH'];

/** FAPI-CIBA §5.2.2-3: push mode is not allowed; poll and ping are. */
export const FAPI_DELIVERY_MODES: readonly string[] = ['POLL', 'PING'];

/** The FAPI modes OpenCIBA implements for CIBA: FAPI-CIBA rests on FAPI 1.0 Advanced. */
export const FAPI_MODES_IMPLEMENTED: readonly string[] = ['FAPI1_ADVANCED'];

/** The rules, as the error descriptions and 400s name them. */
export const FAPI_RULES = {
  algorithms: 'FAPI-CIBA 5.2.2 and FAPI 1.0 Advanced 8.6 allow only PS256 and ES256',
  authMethod: 'FAPI 1.0 Advanced 5.2.2-14 allows only private_key_jwt, tls_client_auth and self_signed_tls_client_auth',
  confidential: 'FAPI 1.0 Advanced 5.2.2-14 requires a confidential client',
  signedRequest: 'FAPI-CIBA 5.2.2-1 requires a signed authentication request (the request parameter)',
  pushMode: 'FAPI-CIBA 5.2.2-3 does not allow the push delivery mode; use poll or ping',
  senderConstrained:
    'FAPI 1.0 Advanced 5.2.2-5 requires sender-constrained access tokens: present a client certificate (RFC 8705) or a DPoP proof (RFC 9449)',
  bindingMessage: 'FAPI-CIBA 5.2.2-2 requires a binding_message here (backchannelBindingMessageRequiredInFapi)',
} as const;

/** A list member of a service or client, or none. */
export const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The service's Authlete `supportedServiceProfiles` contains FAPI. */
export const serviceIsFapi = (service: Record<string, unknown>): boolean => listOf(service.supportedServiceProfiles).includes('FAPI');

/** The client asks for FAPI 1.0 Advanced (and so FAPI-CIBA) through its own `fapiModes`. */
export const clientAsksFapi = (client: Record<string, unknown>): boolean => listOf(client.fapiModes).includes('FAPI1_ADVANCED');

/** Whether this client's requests to this service are held to FAPI-CIBA. */
export const fapiApplies = (service: Record<string, unknown>, client: Record<string, unknown>): boolean => serviceIsFapi(service) || clientAsksFapi(client);

export const fapiAlgAllowed = (alg: unknown): boolean => typeof alg === 'string' && FAPI_SIGNING_ALGS.includes(alg);

/** The client-authentication rules of the profile, as the client-auth module consults them. */
export const FAPI_CLIENT_AUTH: ClientAuthProfile = {
  methods: FAPI_AUTH_METHODS,
  assertionAlgs: FAPI_SIGNING_ALGS,
  methodRule: FAPI_RULES.authMethod,
  algRule: FAPI_RULES.algorithms,
};

/**
 * The ID token algorithm of a FAPI client that registered none: PS256 where the service can sign
 * with it, else ES256 (Authlete's default RS256 is not allowed under FAPI 1.0 Advanced 8.6).
 */
export function fapiDefaultIdTokenAlg(serviceAlgs: readonly string[]): string {
  return FAPI_SIGNING_ALGS.find((alg) => serviceAlgs.includes(alg)) ?? 'PS256';
}

/** Authlete's backchannelBindingMessageRequiredInFapi: binding_message required of FAPI requests. */
export const fapiBindingMessageRequired = (service: Record<string, unknown>, client: Record<string, unknown>): boolean =>
  service.backchannelBindingMessageRequiredInFapi === true && fapiApplies(service, client);
