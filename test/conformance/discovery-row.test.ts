/**
 * FAPI-CIBA plan row 1 (fapi-ciba-id1-discovery-end-point-verification, conformance-ciba.md §4.2),
 * with what every module checks at configure time: §4.1 (CheckCIBAServerConfiguration), §1.3 (the
 * mtls_endpoint_aliases object) and §3.11 (the OP's keys). Per variant, since the delivery mode
 * and the client authentication method decide some checks; on both dialects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConformanceOp, VARIANTS, type ConformanceOp } from '../support/conformance-op.js';
import { DIALECTS } from '../support/test-server.js';

const SUFFIX = '/.well-known/openid-configuration';
const isHttpsUrl = (value: unknown) => typeof value === 'string' && new URL(value).protocol === 'https:';
const hasFapiAlg = (list: unknown) => Array.isArray(list) && (list.includes('PS256') || list.includes('ES256'));
/** RFC 5646 language tags, loosely (the suite's syntax check). */
const LANGUAGE_TAG = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;

describe.each(DIALECTS)('FAPI-CIBA plan, row 1: discovery (%s)', (dialect) => {
  let op: ConformanceOp;
  beforeAll(async () => {
    op = await startConformanceOp(dialect);
  });
  afterAll(async () => op?.close());

  describe.each(VARIANTS)('$auth, $mode', (variant) => {
    it('answers 200 JSON at an https URL ending in the well-known suffix, with a matching RFC 8414 issuer', async () => {
      const url = `${op.issuer}${SUFFIX}`;
      const answer = await op.call(url, undefined);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(url.startsWith('https://') && url.endsWith(SUFFIX)).toBe(true);
      const metadata = answer.json;
      expect(metadata.issuer.replace(/\/$/, '')).toBe(url.slice(0, -SUFFIX.length).replace(/\/$/, ''));
      const issuer = new URL(metadata.issuer);
      expect([issuer.protocol, issuer.search, issuer.hash, issuer.username, issuer.password]).toEqual(['https:', '', '', '', '']);
      expect(issuer.host).not.toBe('');
    });

    it('passes the generic FAPI metadata checks', () => {
      const m = op.metadata;
      expect(m.tls_client_certificate_bound_access_tokens).toBe(true);
      expect(hasFapiAlg(m.id_token_signing_alg_values_supported)).toBe(true);
      const methods: string[] = m.token_endpoint_auth_methods_supported;
      expect(variant.auth === 'private_key_jwt' ? methods.includes('private_key_jwt') : methods.includes('tls_client_auth') || methods.includes('self_signed_tls_client_auth')).toBe(true);
      if (methods.includes('private_key_jwt')) expect(hasFapiAlg(m.token_endpoint_auth_signing_alg_values_supported)).toBe(true);
      if ('userinfo_signing_alg_values_supported' in m) expect(hasFapiAlg(m.userinfo_signing_alg_values_supported)).toBe(true);
      expect(isHttpsUrl(m.token_endpoint)).toBe(true);
      if ('registration_endpoint' in m) expect(isHttpsUrl(m.registration_endpoint)).toBe(true);
      expect(isHttpsUrl(m.jwks_uri)).toBe(true);
      for (const scope of m.scopes_supported ?? []) expect(scope).toMatch(/^[\x21\x23-\x5B\x5D-\x7E]+$/);
      for (const name of ['ui_locales_supported', 'claims_locales_supported']) for (const tag of m[name] ?? []) expect(tag).toMatch(LANGUAGE_TAG);
    });

    it('passes the CIBA metadata checks (§4.1, §4.2)', () => {
      const m = op.metadata;
      for (const name of ['issuer', 'token_endpoint', 'backchannel_authentication_endpoint']) expect(() => new URL(m[name])).not.toThrow();
      expect(isHttpsUrl(m.backchannel_authentication_endpoint)).toBe(true);
      expect(hasFapiAlg(m.backchannel_authentication_request_signing_alg_values_supported)).toBe(true);
      expect(m.backchannel_authentication_request_signing_alg_values_supported.every((alg: unknown) => typeof alg === 'string')).toBe(true);
      if ('backchannel_user_code_parameter_supported' in m) expect(typeof m.backchannel_user_code_parameter_supported).toBe('boolean');
      expect(m.grant_types_supported).toContain('urn:openid:params:grant-type:ciba');
      expect(m.backchannel_token_delivery_modes_supported.every((mode: unknown) => typeof mode === 'string')).toBe(true);
      expect(m.backchannel_token_delivery_modes_supported).toContain(variant.mode);
    });

    it('has well-formed mtls_endpoint_aliases (§1.3)', () => {
      const aliases = op.metadata.mtls_endpoint_aliases;
      expect(typeof aliases === 'object' && aliases !== null && !Array.isArray(aliases)).toBe(true);
      expect(aliases.authorization_endpoint).toBeUndefined();
      for (const [name, value] of Object.entries(aliases)) {
        expect(name.endsWith('_endpoint')).toBe(true);
        expect(op.metadata[name]).toBeDefined();
        expect(isHttpsUrl(value)).toBe(true);
      }
      expect(aliases.token_endpoint).toBeDefined();
    });

    it('publishes public keys only, each with a kid, RSA of 2048 bits or more (§3.11)', async () => {
      const answer = await op.call(op.metadata.jwks_uri, undefined);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/json/);
      const keys: Record<string, string>[] = answer.json.keys;
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        expect(typeof key.kid === 'string' && key.kid.trim() !== '').toBe(true);
        expect(key.kty).not.toBe('oct');
        for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key[secret]).toBeUndefined();
        if (key.kty === 'RSA') expect(Buffer.from(String(key.n), 'base64url').length * 8).toBeGreaterThanOrEqual(2048);
        if (key.kty === 'EC') expect(['P-256', 'P-384', 'P-521']).toContain(key.crv);
      }
      expect(new Set(keys.map((key) => key.kid)).size).toBe(keys.length);
    });
  });
});
