import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import { makeTestPki, type TestPki } from '../support/pki.js';

describe('TLS settings', () => {
  let pki: TestPki;
  const file = (name: string) => join(pki.dir, name);
  beforeAll(() => {
    pki = makeTestPki();
    writeFileSync(file('garbage.pem'), 'not a certificate');
  });
  afterAll(() => pki?.remove());

  const refused = (env: Record<string, string>, message: RegExp) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  };

  it('reads direct TLS and the client CA bundle; the default public URL is then https', () => {
    const config = loadConfig({ OPENCIBA_TLS_CERT: file('server.pem'), OPENCIBA_TLS_KEY: file('server.key'), OPENCIBA_TLS_CLIENT_CA: file('root.pem') });
    expect(config.tls.server?.cert).toContain('BEGIN CERTIFICATE');
    expect(config.tls.clientCa).toHaveLength(1);
    expect(config.publicUrl.startsWith('https://')).toBe(true);
  });

  it('refuses unreadable, mismatched or useless files with a clear message', () => {
    refused({ OPENCIBA_TLS_CERT: file('missing.pem'), OPENCIBA_TLS_KEY: file('server.key') }, /OPENCIBA_TLS_CERT .*missing\.pem cannot be read \(ENOENT\)/);
    refused({ OPENCIBA_TLS_CERT: file('server.pem') }, /both OPENCIBA_TLS_CERT and OPENCIBA_TLS_KEY/);
    refused({ OPENCIBA_TLS_CERT: file('server.pem'), OPENCIBA_TLS_KEY: file('client.key') }, /not a usable certificate and private key/);
    refused({ OPENCIBA_TLS_CLIENT_CA: file('garbage.pem') }, /holds no PEM certificate/);
    refused({ OPENCIBA_TLS_CLIENT_CA: file('client.pem') }, /CA certificates only/);
  });

  it('parses trusted proxies (IPv4, IPv6, CIDR) and refuses bad entries and half configurations', () => {
    const config = loadConfig({ OPENCIBA_CLIENT_CERT_HEADER: 'X-SSL-Client-Cert', OPENCIBA_TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.7 2001:db8::/32' });
    expect(config.tls.clientCertHeader).toBe('x-ssl-client-cert');
    expect(config.tls.trustedProxies?.check('10.1.2.3', 'ipv4')).toBe(true);
    expect(config.tls.trustedProxies?.check('192.0.2.8', 'ipv4')).toBe(false);
    expect(config.tls.trustedProxies?.check('2001:db8::5', 'ipv6')).toBe(true);
    for (const bad of ['10.0.0.0/33', '::1/129', 'proxy.example', '10.0.0.1/8/1', '10.0.0.0/x', ',']) {
      refused({ OPENCIBA_CLIENT_CERT_HEADER: 'x-cert', OPENCIBA_TRUSTED_PROXIES: bad }, /OPENCIBA_TRUSTED_PROXIES/);
    }
    refused({ OPENCIBA_CLIENT_CERT_HEADER: 'x-cert' }, /needs OPENCIBA_TRUSTED_PROXIES/);
    refused({ OPENCIBA_TRUSTED_PROXIES: '127.0.0.1' }, /only used with OPENCIBA_CLIENT_CERT_HEADER/);
    refused({ OPENCIBA_CLIENT_CERT_HEADER: 'x cert:', OPENCIBA_TRUSTED_PROXIES: '127.0.0.1' }, /must be a header name/);
    refused({ OPENCIBA_CLIENT_CERT_VERIFIED_UPSTREAM: 'perhaps' }, /OPENCIBA_CLIENT_CERT_VERIFIED_UPSTREAM must be/);
  });

  it('production still needs an https public URL', () => {
    refused({ OPENCIBA_MODE: 'production', OPENCIBA_TLS_CERT: file('server.pem'), OPENCIBA_TLS_KEY: file('server.key'), OPENCIBA_PUBLIC_URL: 'http://op.example' }, /https URL/);
  });
});
