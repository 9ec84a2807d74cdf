import { X509Certificate } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import { invalidClient, type OAuthError } from '../protocol/oauth-error.js';
import { chainFailure } from './certificate-chain.js';
import { isWithinValidity, parseClientCertificate, sanValuesMatch, subjectAltNames, type SanType } from './client-certificate.js';
import { distinguishedNamesMatch } from './distinguished-name.js';
import { methodName } from './method-names.js';
import type { AuthClient, ClientAuthContext } from './types.js';

/**
 * TLS_CLIENT_AUTH (RFC 8705 §2.1): the certificate chain must be validated to a trust anchor, and
 * the certificate must name the client as registered.
 *
 * The chain (the certificate plus Authlete's `clientCertificatePath`) is validated here against the
 * service's `trustedRootCertificates` and the deployment's anchors. With no anchors at all, a subject
 * match alone is accepted only where the operator stated that the TLS layer in front validated the
 * chain (`verifiedUpstream`) and the service does not ask for validation here
 * (`mutualTlsValidatePkiCertChain`): otherwise a self-signed certificate naming the client's subject
 * would authenticate as the client.
 */
export function verifyTlsClientAuth(client: AuthClient, certificate: string | undefined, certificatePath: readonly unknown[], ctx: ClientAuthContext): OAuthError | undefined {
  const cert = readCertificate(client, certificate);
  if (!(cert instanceof X509Certificate)) return cert;
  const chain = chainVerdict(cert, certificatePath, ctx);
  if (chain !== undefined) return invalidClient(chain);

  const expected = registeredSubject(client);
  if (expected === 'none') return invalidClient('the client has no expected certificate subject registered');
  if (expected === 'several') return invalidClient('the client has more than one expected certificate subject registered');

  if (expected.kind === 'DN') {
    return distinguishedNamesMatch(expected.value, cert.subject) ? undefined : invalidClient('the client certificate subject DN does not match the registered one');
  }
  const { kind, value } = expected;
  const matched = subjectAltNames(cert).some((san) => san.type === kind && sanValuesMatch(kind, value, san.value));
  return matched ? undefined : invalidClient(`the client certificate has no ${kind} subject alternative name matching the registered one`);
}

/**
 * SELF_SIGNED_TLS_CLIENT_AUTH (RFC 8705 §2.2): the TLS handshake proved possession of the
 * certificate's private key, so the client is authenticated when that public key is one the client
 * registered. Neither the chain nor the validity period is checked: a self-signed certificate is
 * only a carrier for the key, and the registration is the trust anchor.
 */
export async function verifySelfSignedTlsClientAuth(client: AuthClient, certificate: string | undefined, ctx: ClientAuthContext): Promise<OAuthError | undefined> {
  const cert = readCertificate(client, certificate);
  if (!(cert instanceof X509Certificate)) return cert;

  let keys: JWK[];
  try {
    keys = await ctx.clientKeys(client);
  } catch {
    return invalidClient("the client's public keys could not be obtained");
  }
  const thumbprint = await certificateKeyThumbprint(cert);
  if (thumbprint === undefined) return invalidClient('the client certificate key type is not supported');
  for (const key of keys) {
    if (await keyMatchesCertificate(key, cert, thumbprint)) return undefined;
  }
  return invalidClient('the client certificate does not match any registered client key');
}

async function certificateKeyThumbprint(cert: X509Certificate): Promise<string | undefined> {
  try {
    return await calculateJwkThumbprint(await exportJWK(cert.publicKey));
  } catch {
    return undefined; // e.g. a DSA key, which has no JWK form.
  }
}

function chainVerdict(cert: X509Certificate, certificatePath: readonly unknown[], ctx: ClientAuthContext): string | undefined {
  const trust = ctx.certificateTrust;
  if (trust.anchors.length > 0) return chainFailure(cert, certificatePath, trust.anchors, ctx.now, ctx.clockSkew);
  if (trust.validationRequired) return 'the service validates client certificate chains but trusts no root certificate';
  if (!trust.verifiedUpstream) return 'no trusted root certificate is configured to validate the client certificate chain';
  return isWithinValidity(cert, ctx.now, ctx.clockSkew) ? undefined : 'the client certificate is expired or not yet valid';
}

function readCertificate(client: AuthClient, certificate: string | undefined): X509Certificate | OAuthError {
  if (certificate === undefined) return invalidClient(`${methodName(client.tokenAuthMethod)} requires a TLS client certificate`);
  return parseClientCertificate(certificate) ?? invalidClient('the client certificate could not be parsed');
}

type RegisteredSubject = { kind: 'DN' | SanType; value: string };

// RFC 8705 §2.1.2: a client "MUST use exactly one" of these. Several would leave it unclear which
// one to enforce, so the registration is refused rather than guessed at.
function registeredSubject(client: AuthClient): RegisteredSubject | 'none' | 'several' {
  const candidates: Array<[RegisteredSubject['kind'], string | undefined]> = [
    ['DN', client.tlsClientAuthSubjectDn],
    ['DNS', client.tlsClientAuthSanDns],
    ['URI', client.tlsClientAuthSanUri],
    ['IP', client.tlsClientAuthSanIp],
    ['email', client.tlsClientAuthSanEmail],
  ];
  const set = candidates.filter((entry): entry is [RegisteredSubject['kind'], string] => entry[1] !== undefined && entry[1] !== '');
  const only = set[0];
  if (only === undefined) return 'none';
  if (set.length > 1) return 'several';
  return { kind: only[0], value: only[1] };
}

// A JWK carrying the certificate itself (x5c) matches by DER; otherwise the public keys are compared
// through their RFC 7638 thumbprints, which ignore kid, use and the like.
async function keyMatchesCertificate(key: JWK, cert: X509Certificate, certThumbprint: string): Promise<boolean> {
  const first = key.x5c?.[0];
  if (typeof first === 'string' && Buffer.from(first, 'base64').equals(cert.raw)) return true;
  if (key.kty === 'oct') return false;
  try {
    return (await calculateJwkThumbprint(key)) === certThumbprint;
  } catch {
    return false; // A malformed registered key matches nothing.
  }
}
