import { apiErrors, type ApiError } from '../api-error.js';

/**
 * Authlete settings with a security effect that OpenCIBA does not implement. A setting we store
 * is enforced or refused, never ignored: each of these is accepted only with its inert value
 * (absent, false, zero, empty — what Authlete's SDKs send back in a read-modify-write), and any
 * other value is a 400 naming it. docs/settings.md lists every member and what happens to it.
 */
type Inert = (value: unknown) => boolean;

const absent = (value: unknown) => value === undefined || value === null;
const off: Inert = (value) => absent(value) || value === false;
const zero: Inert = (value) => absent(value) || value === 0;
const empty: Inert = (value) => absent(value) || value === '' || (Array.isArray(value) && value.length === 0);
const oneOf = (...accepted: unknown[]): Inert => (value) => empty(value) || accepted.includes(value);

interface Unsupported {
  inert: Inert;
  why: string;
}

const NOT_IMPLEMENTED = 'is not implemented by OpenCIBA';

export const UNSUPPORTED_SERVICE_SETTINGS: Readonly<Record<string, Unsupported>> = {
  accessTokenSignAlg: { inert: empty, why: 'JWT access tokens are not implemented by OpenCIBA' },
  accessTokenType: { inert: oneOf('Bearer'), why: "must be 'Bearer': the access token type is decided per token" },
  singleAccessTokenPerSubject: { inert: off, why: NOT_IMPLEMENTED },
  refreshTokenIdempotent: { inert: off, why: NOT_IMPLEMENTED },
  openidDroppedOnRefreshWithoutOfflineAccess: { inert: off, why: NOT_IMPLEMENTED },
  idTokenReissuable: { inert: off, why: NOT_IMPLEMENTED },
  grantManagementActionRequired: { inert: off, why: 'grant management is not implemented by OpenCIBA' },
  missingClientIdAllowed: { inert: off, why: 'OpenCIBA always requires a client identifier' },
  hsmEnabled: { inert: off, why: 'HSM keys are not implemented by OpenCIBA' },
  clientsPerDeveloper: { inert: zero, why: NOT_IMPLEMENTED },
  rsResponseSigned: { inert: off, why: NOT_IMPLEMENTED },
  dynamicRegistrationSupported: { inert: off, why: 'dynamic client registration is not implemented by OpenCIBA' },
  federationEnabled: { inert: off, why: 'OpenID Federation is not implemented by OpenCIBA' },
  verifiableCredentialsEnabled: { inert: off, why: 'verifiable credentials are not implemented by OpenCIBA' },
  clientIdMetadataDocumentSupported: { inert: off, why: 'client ID metadata documents are not implemented by OpenCIBA' },
  nativeSsoSupported: { inert: off, why: NOT_IMPLEMENTED },
  // The signing key is the service's key for the client's algorithm; keys rotate through /admin.
  idTokenSignatureKeyId: { inert: empty, why: 'key selection by kid is not implemented by OpenCIBA (rotate keys instead)' },
  userInfoSignatureKeyId: { inert: empty, why: 'key selection by kid is not implemented by OpenCIBA (rotate keys instead)' },
  // CIBA Core §7.1.1 makes nbf a required claim of a signed authentication request.
  nbfOptional: { inert: off, why: 'must be false: OpenCIBA always requires nbf in request objects (CIBA Core 7.1.1)' },
  // Nonces are keyed digests of fixed windows (src/engine/dpop/dpop-nonce.ts).
  dpopNonceDuration: { inert: zero, why: 'is not implemented by OpenCIBA: DPoP nonces change every 5 minutes' },
};

export const UNSUPPORTED_CLIENT_SETTINGS: Readonly<Record<string, Unsupported>> = {
  idTokenEncryptionAlg: { inert: empty, why: 'encrypted ID tokens are not implemented by OpenCIBA' },
  idTokenEncryptionEnc: { inert: empty, why: 'encrypted ID tokens are not implemented by OpenCIBA' },
  userInfoEncryptionAlg: { inert: empty, why: 'encrypted userinfo answers are not implemented by OpenCIBA' },
  userInfoEncryptionEnc: { inert: empty, why: 'encrypted userinfo answers are not implemented by OpenCIBA' },
  subjectType: { inert: oneOf('PUBLIC'), why: 'must be PUBLIC: pairwise subjects are not implemented by OpenCIBA' },
  sectorIdentifierUri: { inert: empty, why: 'pairwise subjects are not implemented by OpenCIBA' },
  authTimeRequired: { inert: off, why: 'auth_time is in an ID token only when /complete gives authTime' },
  defaultMaxAge: { inert: zero, why: 'CIBA requests have no max_age and OpenCIBA does not apply one' },
  singleAccessTokenPerSubject: { inert: off, why: NOT_IMPLEMENTED },
  rsRequestSigned: { inert: off, why: NOT_IMPLEMENTED },
  // self_signed_tls_client_auth tries every key of the client's JWK Set (tls-client-auth.ts).
  selfSignedCertificateKeyId: { inert: empty, why: 'is not implemented by OpenCIBA: every key of the client jwks is matched against the certificate' },
  mtlsEndpointAliasesUsed: { inert: off, why: 'is not implemented by OpenCIBA: the front serves one set of endpoints for every client' },
};

/** The first member set to a value OpenCIBA would otherwise ignore, as the 400 naming it. */
export function refuseUnsupported(data: Record<string, unknown>, table: Readonly<Record<string, Unsupported>>): ApiError | undefined {
  for (const [member, { inert, why }] of Object.entries(table)) {
    if (!inert(data[member])) return apiErrors.badRequest(`'${member}' ${why}; leave it unset.`);
  }
  return undefined;
}
