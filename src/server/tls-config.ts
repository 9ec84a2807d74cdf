import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { readFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import { readCertificates } from '../engine/client-auth/certificate-chain.js';

/** TLS and client certificates at the front (RFC 8705): direct TLS, or a TLS-terminating proxy. */
export interface TlsConfig {
  /** OPENCIBA_TLS_CERT / OPENCIBA_TLS_KEY: the server listens with HTTPS and requests a client certificate. */
  server: { cert: string; key: string } | undefined;
  /** OPENCIBA_TLS_CLIENT_CA: trust anchors of tls_client_auth chains, for every service (RFC 8705 §2.1). */
  clientCa: X509Certificate[];
  /** OPENCIBA_CLIENT_CERT_HEADER, lower case: the header a trusted proxy puts the URL-encoded PEM certificate in. */
  clientCertHeader: string | undefined;
  /** OPENCIBA_TRUSTED_PROXIES: the only peers whose certificate header is believed. */
  trustedProxies: BlockList | undefined;
  /** OPENCIBA_CLIENT_CERT_VERIFIED_UPSTREAM: the operator states the TLS layer validated every client chain. */
  verifiedUpstream: boolean;
}

type Read = (name: string) => string | undefined;
type Fail = (message: string) => Error;

function readPemFile(name: string, path: string, fail: Fail): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw fail(`${name} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** `10.0.0.0/8, 192.0.2.7, 2001:db8::/32`: addresses and CIDR blocks, IPv4 and IPv6. */
export function parseTrustedProxies(text: string, fail: Fail): BlockList {
  const list = new BlockList();
  const entries = text.split(/[\s,]+/).filter((entry) => entry !== '');
  if (entries.length === 0) throw fail('OPENCIBA_TRUSTED_PROXIES must list at least one address or CIDR block');
  for (const entry of entries) {
    const [address = '', prefixText, extra] = entry.split('/');
    const kind = isIP(address);
    const max = kind === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : /^[0-9]{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
    if (kind === 0 || extra !== undefined || !(prefix >= 0 && prefix <= max)) {
      throw fail(`OPENCIBA_TRUSTED_PROXIES entry ${entry.slice(0, 60)} is not an IP address or CIDR block`);
    }
    list.addSubnet(address, prefix, kind === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

export function loadTlsConfig(read: Read, fail: Fail, yesNo: (name: string) => boolean): TlsConfig {
  const certPath = read('OPENCIBA_TLS_CERT');
  const keyPath = read('OPENCIBA_TLS_KEY');
  if ((certPath === undefined) !== (keyPath === undefined)) throw fail('set both OPENCIBA_TLS_CERT and OPENCIBA_TLS_KEY, or neither');
  let server: TlsConfig['server'];
  if (certPath !== undefined && keyPath !== undefined) {
    server = { cert: readPemFile('OPENCIBA_TLS_CERT', certPath, fail), key: readPemFile('OPENCIBA_TLS_KEY', keyPath, fail) };
    try {
      createSecureContext(server);
    } catch (error) {
      // Never echo the key; OpenSSL's reason names what is wrong (no PEM, key and certificate differ).
      throw fail(`OPENCIBA_TLS_CERT and OPENCIBA_TLS_KEY are not a usable certificate and private key (${(error as Error).message.slice(0, 120)})`);
    }
  }

  const caPath = read('OPENCIBA_TLS_CLIENT_CA');
  const clientCa = caPath === undefined ? [] : readCertificates([readPemFile('OPENCIBA_TLS_CLIENT_CA', caPath, fail)]);
  if (caPath !== undefined && clientCa.length === 0) throw fail(`OPENCIBA_TLS_CLIENT_CA ${caPath} holds no PEM certificate`);
  if (clientCa.some((cert) => !cert.ca)) throw fail('OPENCIBA_TLS_CLIENT_CA must hold CA certificates only (basicConstraints CA:TRUE)');

  const header = read('OPENCIBA_CLIENT_CERT_HEADER');
  if (header !== undefined && !/^[A-Za-z0-9-]{1,64}$/.test(header)) throw fail('OPENCIBA_CLIENT_CERT_HEADER must be a header name (letters, digits and hyphens)');
  const proxiesText = read('OPENCIBA_TRUSTED_PROXIES');
  // Each without the other does nothing, which an operator would not notice until clients fail.
  if (header !== undefined && proxiesText === undefined) throw fail('OPENCIBA_CLIENT_CERT_HEADER needs OPENCIBA_TRUSTED_PROXIES: the header is believed only from those addresses');
  if (header === undefined && proxiesText !== undefined) throw fail('OPENCIBA_TRUSTED_PROXIES is only used with OPENCIBA_CLIENT_CERT_HEADER');

  return {
    server,
    clientCa,
    clientCertHeader: header?.toLowerCase(),
    trustedProxies: proxiesText === undefined ? undefined : parseTrustedProxies(proxiesText, fail),
    verifiedUpstream: yesNo('OPENCIBA_CLIENT_CERT_VERIFIED_UPSTREAM'),
  };
}
