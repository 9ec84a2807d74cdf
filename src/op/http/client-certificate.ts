import { X509Certificate } from 'node:crypto';
import type { BlockList } from 'node:net';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';

/** The certificate a client presented, as Authlete's APIs take it (RFC 8705). */
export interface PresentedCertificate {
  /** The client's certificate, PEM. */
  clientCertificate: string;
  /** The rest of the chain the client sent, PEM, leaf's issuer first (Authlete's `clientCertificatePath`). */
  clientCertificatePath?: string[];
}

/** How the front sees client certificates; from the server's configuration. */
export interface ClientCertificateOptions {
  /** The server itself terminates TLS and requests a client certificate. */
  directTls: boolean;
  /** Lower-case name of the header a TLS-terminating proxy puts the URL-encoded PEM certificate in. */
  header?: string | undefined;
  /** The proxies whose header is believed; from any other peer it is ignored. */
  trustedProxies?: BlockList | undefined;
  log?: { debug(details: Record<string, unknown>, message: string): void };
}

export interface ClientCertificateSource {
  /** Whether the front can see client certificates at all (direct TLS or a trusted proxy). */
  readonly available: boolean;
  /**
   * The certificate presented with this request: undefined when none (or unreadable, or a header
   * from an untrusted peer), 'oversized' for a certificate header above MAX_CERTIFICATE_HEADER.
   */
  read(request: FastifyRequest): PresentedCertificate | 'oversized' | undefined;
}

/** A URL-encoded leaf is about 1.5 KiB; a short chain fits too. Larger is refused (400). */
export const MAX_CERTIFICATE_HEADER = 10 * 1024;
/** Most certificates taken from one header or TLS chain. */
const MAX_CHAIN = 10;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]*-----END CERTIFICATE-----/g;

/** A front that sees no certificates: the default for an OpContext without a source. */
export const NO_CLIENT_CERTIFICATES: ClientCertificateSource = { available: false, read: () => undefined };

export function clientCertificateSource(options: ClientCertificateOptions): ClientCertificateSource {
  const { header, trustedProxies } = options;
  const proxied = header !== undefined && trustedProxies !== undefined;
  let untrustedLogged = false;
  return {
    available: options.directTls || proxied,
    read(request) {
      if (proxied) {
        const peer = request.raw.socket.remoteAddress;
        if (peer !== undefined && isTrusted(trustedProxies, peer)) {
          // The proxy's own TLS certificate (if any) is not the client's: only its header counts.
          return fromHeader(request.headers[header]);
        }
        if (request.headers[header] !== undefined && !untrustedLogged) {
          untrustedLogged = true;
          options.log?.debug({ peer }, `ignoring the ${header} header: the peer is not in OPENCIBA_TRUSTED_PROXIES`);
        }
      }
      return options.directTls ? fromTls(request) : undefined;
    },
  };
}

// An IPv4 peer on a dual-stack socket reads ::ffff:a.b.c.d; it is matched as the IPv4 address it is.
function isTrusted(list: BlockList, address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined) return list.check(mapped, 'ipv4');
  return list.check(address, address.includes(':') ? 'ipv6' : 'ipv4');
}

function toPem(der: Buffer): string | undefined {
  try {
    return new X509Certificate(der).toString();
  } catch {
    return undefined;
  }
}

/** The peer certificate of a TLS connection and the chain the client sent with it. */
function fromTls(request: FastifyRequest): PresentedCertificate | undefined {
  const socket = request.raw.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const leaf = socket.getPeerCertificate(true) as DetailedPeerCertificate | undefined;
  if (!leaf?.raw) return undefined;
  const clientCertificate = toPem(leaf.raw);
  if (clientCertificate === undefined) return undefined;
  const path: string[] = [];
  const seen = new Set([leaf.fingerprint256]);
  // Node links each certificate to its issuer, the last one to itself.
  for (let next: DetailedPeerCertificate | undefined = leaf.issuerCertificate; next?.raw && !seen.has(next.fingerprint256) && path.length < MAX_CHAIN; next = next.issuerCertificate) {
    seen.add(next.fingerprint256);
    const pem = toPem(next.raw);
    if (pem !== undefined) path.push(pem);
  }
  return { clientCertificate, ...(path.length > 0 ? { clientCertificatePath: path } : {}) };
}

/**
 * nginx `$ssl_client_escaped_cert` style: the PEM certificate URL-encoded, possibly followed by
 * the chain. Anything unreadable counts as no certificate (the client then fails to authenticate
 * with a certificate method, like a client that sent none).
 */
function fromHeader(value: string | string[] | undefined): PresentedCertificate | 'oversized' | undefined {
  if (typeof value !== 'string' || value === '') return undefined; // A repeated header is not one certificate.
  if (value.length > MAX_CERTIFICATE_HEADER) return 'oversized';
  let text: string;
  try {
    text = decodeURIComponent(value);
  } catch {
    return undefined;
  }
  const blocks = text.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0 || blocks.length > MAX_CHAIN) return undefined;
  const pems: string[] = [];
  for (const block of blocks) {
    try {
      pems.push(new X509Certificate(block).toString());
    } catch {
      return undefined;
    }
  }
  const [clientCertificate, ...path] = pems;
  if (clientCertificate === undefined) return undefined;
  return { clientCertificate, ...(path.length > 0 ? { clientCertificatePath: path } : {}) };
}

/** The certificate fields to spread into an engine request ({} when none). */
export function certificateFields(source: ClientCertificateSource | undefined, request: FastifyRequest): PresentedCertificate | Record<string, never> {
  const read = source?.read(request);
  return read === undefined || read === 'oversized' ? {} : read;
}
