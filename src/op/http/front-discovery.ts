/**
 * The front's discovery document: the engine's metadata of the service (RFC 8414, OIDC Discovery,
 * CIBA §4) narrowed to what this front really accepts (RFC 8414 §2), and the RFC 8705 §5 aliases.
 */

const CERTIFICATE_METHODS: ReadonlySet<string> = new Set(['tls_client_auth', 'self_signed_tls_client_auth']);
const ASSERTION_METHODS: ReadonlySet<string> = new Set(['private_key_jwt', 'client_secret_jwt']);

/** The endpoints reached with a client certificate when mTLS is available (the authorization endpoint is never aliased). */
const ALIASED_ENDPOINTS = ['token_endpoint', 'backchannel_authentication_endpoint', 'revocation_endpoint', 'introspection_endpoint', 'userinfo_endpoint'] as const;

/**
 * The endpoints that authenticate clients. The engine authenticates at each (introspection
 * included: op/endpoints/introspection-endpoint.ts asks it to), with the service's list for that
 * endpoint, so the front narrows a list only by what it can see.
 */
const AUTHENTICATING_ENDPOINTS = ['token_endpoint', 'revocation_endpoint', 'introspection_endpoint'] as const;

export function frontMetadata(metadata: Record<string, unknown>, certificatesVisible: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...metadata };
  for (const endpoint of AUTHENTICATING_ENDPOINTS) {
    const listed = out[`${endpoint}_auth_methods_supported`];
    if (!Array.isArray(listed)) continue;
    // A certificate method cannot succeed where the front never sees a certificate.
    const accepted = listed.filter((method): method is string => typeof method === 'string' && (certificatesVisible || !CERTIFICATE_METHODS.has(method)));
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
