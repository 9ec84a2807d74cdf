import type { JWK } from 'jose';
import type { CertificateTrust } from './certificate-chain.js';

import type { CLIENT_AUTH_METHODS } from '../../wire/enums.js';

/** Authlete's `client_auth_method` values (reference §14), without ATTEST_JWT_CLIENT_AUTH. */
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

/** What the caller looks up for a client id. */
export interface AuthClient {
  clientId: number;
  clientIdAlias?: string;
  clientType: 'PUBLIC' | 'CONFIDENTIAL';
  tokenAuthMethod: ClientAuthMethod;
  /** e.g. 'PS256', 'HS256'; when set, assertions must use exactly it. */
  tokenAuthSignAlg?: string;
  /** Plaintext (the caller decrypts it). */
  clientSecret: string;
  /** JWK Set JSON string, public keys. */
  jwks?: string;
  tlsClientAuthSubjectDn?: string;
  tlsClientAuthSanDns?: string;
  tlsClientAuthSanUri?: string;
  tlsClientAuthSanIp?: string;
  tlsClientAuthSanEmail?: string;
  locked?: boolean;
  /** Client `clientIdAliasEnabled`: false stops the alias from naming the client in requests. */
  clientIdAliasEnabled?: boolean;
}

export interface ClientAuthInput {
  /** Authlete's request field `clientId` (the AS decoded it from HTTP Basic) — may be absent. */
  clientId?: string;
  /** Authlete's request field `clientSecret` (from HTTP Basic) — present iff Basic was used. */
  clientSecret?: string;
  /** PEM client certificate from the TLS layer, if any. */
  clientCertificate?: string;
  /** Authlete's `clientCertificatePath`: the intermediates the client presented, PEM (RFC 8705 §2.1 chain validation). */
  clientCertificatePath?: readonly unknown[];
  /** The raw form parameters of the client's request (may contain client_id, client_secret, client_assertion, client_assertion_type). */
  parameters: URLSearchParams;
}

/** The client-authentication rules of a security profile (src/engine/fapi/fapi-profile.ts has FAPI's). */
export interface ClientAuthProfile {
  methods: readonly string[];
  assertionAlgs: readonly string[];
  /** The rule, as error descriptions name it. */
  methodRule: string;
  algRule: string;
}

export interface ClientAuthContext {
  issuer: string;
  /** URLs accepted as assertion `aud` besides the issuer: e.g. token endpoint and backchannel endpoint. */
  audiences: string[];
  /** Look up a client by numeric id string or alias; undefined when unknown. */
  findClient(clientIdOrAlias: string): Promise<AuthClient | undefined>;
  /** Records an assertion jti until expiresAt (epoch seconds); returns false when it was already used. */
  claimJti(clientId: number, jti: string, expiresAt: number): Promise<boolean>;
  /** Public keys of the client (from its jwks or jwks_uri); the caller handles fetching. */
  clientKeys(client: AuthClient): Promise<JWK[]>;
  /** Epoch seconds. */
  now: number;
  /** Allowed clock skew in seconds (service allowableClockSkew), >= 0. */
  clockSkew: number;
  /**
   * The methods the service supports at this endpoint (service supportedTokenAuthMethods, or its
   * revocation or introspection list); undefined accepts every method.
   */
  supportedMethods?: readonly ClientAuthMethod[];
  /** Service `clientIdAliasEnabled`: false means only numeric client ids name clients. */
  clientIdAliasEnabled?: boolean;
  /**
   * A security profile the client is held to (FAPI-CIBA), narrowing its methods and assertion
   * algorithms whatever it registered; undefined when none applies.
   */
  profile?(client: AuthClient): ClientAuthProfile | undefined;
  /** What tls_client_auth certificate chains are validated against. */
  certificateTrust: CertificateTrust;
}

export interface AuthenticatedClient {
  kind: 'authenticated-client';
  client: AuthClient;
  method: ClientAuthMethod;
}
