import type { JwkSet } from '../keys/service-keys.js';
import { ASYMMETRIC_JWS_ALGS, GRANT_TYPES, SYMMETRIC_JWS_ALGS, type GrantType } from '../../wire/enums.js';
import { withoutNulls } from '../../lib/json.js';
import { DPOP_ALGS } from '../dpop/dpop-proof.js';
import { FAPI_AUTH_METHODS, FAPI_DELIVERY_MODES, FAPI_SIGNING_ALGS, serviceIsFapi } from '../fapi/fapi-profile.js';

const lower = (values: unknown): string[] | undefined =>
  Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string').map((v) => v.toLowerCase()) : undefined;

const strings = (values: unknown): string[] | undefined =>
  Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : undefined;

/** Algorithms the service can sign with: those of its private keys, by `alg` or key type. */
export function signingAlgsOf(jwks: JwkSet | undefined): string[] {
  const algs = new Set<string>();
  for (const key of jwks?.keys ?? []) {
    if (key.use === 'enc' || !('d' in key)) continue;
    if (typeof key.alg === 'string') algs.add(key.alg);
    else if (key.kty === 'RSA') ['RS256', 'PS256'].forEach((a) => algs.add(a));
    else if (key.kty === 'EC' && key.crv === 'P-256') algs.add('ES256');
    else if (key.kty === 'OKP' && key.crv === 'Ed25519') algs.add('EdDSA');
  }
  return [...algs];
}

/** RFC 8705 §5 `mtls_endpoint_aliases` from the service's `mtlsEndpointAliases` (named URIs), if any. */
function mtlsAliases(value: unknown): Record<string, string> | undefined {
  if (!Array.isArray(value)) return undefined;
  const entries = value
    .map((entry) => entry as { name?: unknown; uri?: unknown } | null)
    .filter((entry): entry is { name: string; uri: string } => typeof entry?.name === 'string' && typeof entry.uri === 'string')
    // §5: the aliases are of endpoints reached with a client certificate, never the authorization endpoint.
    .filter((entry) => entry.name.endsWith('_endpoint') && entry.name !== 'authorization_endpoint');
  return entries.length > 0 ? Object.fromEntries(entries.map((entry) => [entry.name, entry.uri])) : undefined;
}

/** OpenID Provider Metadata (OIDC Discovery §3, CIBA §4) of one service. */
export function buildConfiguration(service: Record<string, unknown>, jwks: JwkSet | undefined): Record<string, unknown> {
  const grantTypes = (strings(service.supportedGrantTypes) ?? [])
    .map((g) => GRANT_TYPES[g as GrantType])
    .filter((g): g is (typeof GRANT_TYPES)[GrantType] => g !== undefined);
  const scopes = Array.isArray(service.supportedScopes)
    ? service.supportedScopes
        .map((s) => (typeof s === 'string' ? s : (s as { name?: unknown })?.name))
        .filter((n): n is string => typeof n === 'string')
    : undefined;
  // Under FAPI-CIBA only what the profile accepts is listed (conformance 4.2; fapi-profile.ts).
  const fapi = serviceIsFapi(service);
  const onlyFapi = (algs: readonly string[]) => (fapi ? algs.filter((alg) => FAPI_SIGNING_ALGS.includes(alg)) : [...algs]);
  const idTokenAlgs = onlyFapi(signingAlgsOf(jwks));
  const clientAssertionAlgs = [...ASYMMETRIC_JWS_ALGS, ...SYMMETRIC_JWS_ALGS];
  // The profile governs the token (and backchannel) endpoint's clients, not resource servers at introspection.
  const tokenAssertionAlgs = fapi ? [...FAPI_SIGNING_ALGS] : clientAssertionAlgs;
  const requestAlgs = onlyFapi(ASYMMETRIC_JWS_ALGS);
  const tokenAuthMethods = fapi ? strings(service.supportedTokenAuthMethods)?.filter((m) => FAPI_AUTH_METHODS.includes(m)) : strings(service.supportedTokenAuthMethods);
  const deliveryModes = strings(service.supportedBackchannelTokenDeliveryModes)?.filter((m) => !fapi || FAPI_DELIVERY_MODES.includes(m));
  const acrs = strings(service.supportedAcrs);

  return withoutNulls({
    issuer: service.issuer,
    token_endpoint: service.tokenEndpoint,
    jwks_uri: service.jwksUri,
    userinfo_endpoint: service.userInfoEndpoint,
    revocation_endpoint: service.revocationEndpoint,
    introspection_endpoint: service.introspectionEndpoint,
    backchannel_authentication_endpoint: service.backchannelAuthenticationEndpoint,
    backchannel_token_delivery_modes_supported: lower(deliveryModes) ?? [],
    backchannel_authentication_request_signing_alg_values_supported: requestAlgs,
    backchannel_user_code_parameter_supported: service.backchannelUserCodeParameterSupported === true,
    grant_types_supported: grantTypes,
    response_types_supported: (strings(service.supportedResponseTypes) ?? []).map((r) => r.toLowerCase().replace(/_/g, ' ')),
    subject_types_supported: ['public'],
    scopes_supported: scopes,
    claims_supported: strings(service.supportedClaims),
    claim_types_supported: lower(service.supportedClaimTypes),
    acr_values_supported: acrs && acrs.length > 0 ? acrs : undefined,
    token_endpoint_auth_methods_supported: lower(tokenAuthMethods),
    token_endpoint_auth_signing_alg_values_supported: tokenAssertionAlgs,
    revocation_endpoint_auth_methods_supported: lower(service.supportedRevocationAuthMethods),
    revocation_endpoint_auth_signing_alg_values_supported: clientAssertionAlgs,
    introspection_endpoint_auth_methods_supported: lower(service.supportedIntrospectionAuthMethods),
    introspection_endpoint_auth_signing_alg_values_supported: clientAssertionAlgs,
    id_token_signing_alg_values_supported: idTokenAlgs,
    userinfo_signing_alg_values_supported: idTokenAlgs,
    request_object_signing_alg_values_supported: requestAlgs,
    request_parameter_supported: true,
    claims_parameter_supported: false,
    // FAPI tokens are bound to a presented certificate whatever the client registered (token-binding.ts).
    tls_client_certificate_bound_access_tokens: fapi || service.tlsClientCertificateBoundAccessTokens === true,
    mtls_endpoint_aliases: mtlsAliases(service.mtlsEndpointAliases),
    dpop_signing_alg_values_supported: [...DPOP_ALGS],
    service_documentation: service.serviceDocumentation,
    op_policy_uri: service.policyUri,
    op_tos_uri: service.tosUri,
  });
}
