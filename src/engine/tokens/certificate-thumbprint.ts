import { createHash, X509Certificate } from 'node:crypto';

/** PEM certificates longer than this are not parsed (a client certificate is a few kB). */
const MAX_PEM_LENGTH = 16_384;

/**
 * RFC 8705 §3.1 `x5t#S256`: the unpadded base64url SHA-256 of the certificate's DER encoding
 * (not of the PEM text, not of the key). Undefined when `pem` is not one parseable certificate.
 */
export function certificateThumbprint(pem: unknown): string | undefined {
  if (typeof pem !== 'string' || pem === '' || pem.length > MAX_PEM_LENGTH) return undefined;
  try {
    return createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url');
  } catch {
    return undefined;
  }
}
