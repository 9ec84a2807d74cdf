import { X509Certificate } from 'node:crypto';
import { isWithinValidity, parseClientCertificate } from './client-certificate.js';

/**
 * What tls_client_auth chains are validated against (RFC 8705 §2.1): the service's
 * `trustedRootCertificates` together with the deployment's own anchors (OPENCIBA_TLS_CLIENT_CA).
 */
export interface CertificateTrust {
  anchors: X509Certificate[];
  /** The service's `mutualTlsValidatePkiCertChain`: validation here is required, whatever the deployment says. */
  validationRequired: boolean;
  /**
   * The operator stated (OPENCIBA_CLIENT_CERT_VERIFIED_UPSTREAM) that the TLS layer in front
   * validated every chain it passes on; only then may a subject match stand alone.
   */
  verifiedUpstream: boolean;
}

/** Longest chain followed from the leaf to an anchor; real PKIs use two or three. */
const MAX_DEPTH = 8;
/** Most certificates read from a presented path; more is not a path a client needs. */
const MAX_PATH = 10;
const CLIENT_AUTH_EKU = '1.3.6.1.5.5.7.3.2';
const ANY_EKU = '2.5.29.37.0';

/** Every certificate of a PEM bundle (or list of PEM texts); unreadable entries are skipped. */
export function readCertificates(pems: readonly unknown[]): X509Certificate[] {
  const found: X509Certificate[] = [];
  for (const pem of pems) {
    if (typeof pem !== 'string') continue;
    for (const block of pem.match(/-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g) ?? []) {
      const cert = parseClientCertificate(block);
      if (cert) found.push(cert);
    }
  }
  return found;
}

/** Whether `issuer` signed `subject` and may issue certificates (basicConstraints CA). */
function issued(issuer: X509Certificate, subject: X509Certificate): boolean {
  // Node reads `a.checkIssued(b)` as "a was issued by b".
  if (!issuer.ca || !subject.checkIssued(issuer)) return false;
  try {
    return subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * RFC 5280 path building, kept to what RFC 8705 §2.1 needs: from the leaf through the presented
 * intermediates to a certificate issued by a trust anchor, every link a CA-signed certificate
 * within its validity period (by the engine clock, give or take the service's skew). An anchor
 * may be a root or an issuing CA. The leaf must be made for client authentication when it names
 * its purposes (RFC 5280 §4.2.1.12). Returns why it failed, or undefined.
 */
export function chainFailure(leaf: X509Certificate, path: readonly unknown[], anchors: readonly X509Certificate[], now: number, skew: number): string | undefined {
  // RFC 5280 §4.2.1.9: a cA certificate's key signs certificates; RFC 8705 §2.1 authenticates a
  // client by its end-entity certificate. Else a CA's public certificate (an anchor "chains" to
  // itself) would authenticate a client registered with that CA's subject.
  if (leaf.ca) return 'the client certificate is a CA certificate, not an end-entity certificate';
  const purposes = leaf.keyUsage;
  if (Array.isArray(purposes) && !purposes.includes(CLIENT_AUTH_EKU) && !purposes.includes(ANY_EKU)) return 'the client certificate is not made for client authentication';
  const intermediates = readCertificates(path.slice(0, MAX_PATH));
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (!isWithinValidity(current, now, skew)) return depth === 0 ? 'the client certificate is expired or not yet valid' : 'a certificate of the chain is expired or not yet valid';
    const anchor = anchors.find((candidate) => issued(candidate, current));
    if (anchor) return isWithinValidity(anchor, now, skew) ? undefined : 'the trusted root certificate is expired or not yet valid';
    const next = intermediates.find((candidate) => candidate !== current && issued(candidate, current));
    if (!next) return 'the client certificate chain does not lead to a trusted root certificate';
    current = next;
  }
  return 'the client certificate chain is too long';
}
