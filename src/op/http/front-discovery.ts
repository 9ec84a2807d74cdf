/**
 * The front's discovery document: the engine's metadata of the service (RFC 8414, OIDC Discovery,
 * CIBA §4) narrowed to what this front really accepts (RFC 8414 §2), and the RFC 8705 §5 aliases.
 */

const CERTIFICATE_METHODS: ReadonlySet<string> = new Set(['tls_client_auth', 'self_signed_tls_client_auth']);
const ASSERTION_METHODS: ReadonlySet<string> = new Set(['private_key_jwt', 'client_secret_jwt']);

/**
 * What `{issuer}/introspect` authenticates callers with (op/endpoints/introspection-endpoint.ts).
 * Keep in step with that endpoint: it is the front's own check, not the engine's.
 */
export const FRONT_INTROSPECTION_AUTH_METHODS: ReadonlySet<string> = new Set(['client_secret_basic', 'client_secret_post']);

/** The endpoints reached with a client certificate when mTLS is available (the authorization endpoint is never aliased). */
const ALIASED_ENDPOINTS = ['token_endpoint', 'backchannel_authentication_endpoint', 'revocation_endpoint', 'introspection_endpoint', 'userinfo_endpoint'] as const;

/** Endpoint prefix → the methods the front itself narrows that endpoint to (none: as the engine authenticates). */
const ENDPOINTS: ReadonlyArray<[string, ReadonlySet<string> | undefined]> = [
  ['token_endpoint', undefined],
  ['revocation_endpoint', undefined],
  ['introspection_endpoint', FRONT_INTROSPECTION_AUTH_METHODS],
];

export function frontMetadata(metadata: Record<string, unknown>, certificatesVisible: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...metadata };
  for (const [endpoint, narrowed] of ENDPOINTS) {
    const listed = out[`${endpoint}_auth_methods_supported`];
    if (!Array.isArray(listed)) continue;
    // A certificate method cannot succeed where the front never sees a certificate.
    const accepted = listed.filter((method): method is string => typeof method === 'string' && (certificatesVisible || !CERTIFICATE_METHODS.has(method)) && (narrowed === undefined || narrowed.has(method)));
    out[`${endpoint}_auth_methods_supported`] = accepted;
    // Signing algorithms only describe assertion methods (RFC 8414 §2).
    if (!accepted.some((method) => ASSERTION_METHODS.has(method))) delete out[`${endpoint}_auth_signing_alg_values_supported`];
  }
  // Binding needs the certificate at the token endpoint; the engine binds when the service supports it.
  out.tls_client_certificate_bound_access_tokens = certificatesVisible && metadata.tls_client_certificate_bound_access_tokens === true;
  if (!certificatesVisible) {
    delete out.mtls_endpoint_aliases;
  } else if (out.mtls_endpoint_aliases === undefined) {
    // This front requests a certificate on every endpoint, so the aliases are the endpoints themselves.
    out.mtls_endpoint_aliases = Object.fromEntries(ALIASED_ENDPOINTS.filter((name) => typeof metadata[name] === 'string').map((name) => [name, metadata[name]]));
  }
  return out;
}
