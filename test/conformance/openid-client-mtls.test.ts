/**
 * Part 1 of the conformance work: openid-client (a client written by others) runs CIBA poll and
 * ping flows over real TLS with mutual TLS through its customFetch, for tls_client_auth and
 * private_key_jwt clients whose tokens are bound to their certificate (RFC 8705 §3), or to a
 * DPoP key through openid-client's own DPoP support (RFC 9449).
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, registerClient, startConformanceOp, VARIANTS, type ConformanceOp, type PlanClient } from '../support/conformance-op.js';
import { DIALECTS } from '../support/test-server.js';
import { expectPing, thumbprint } from './checks.js';
import { waitInterval } from './flow.js';

describe.each(DIALECTS)('openid-client over mutual TLS (%s)', (dialect) => {
  let op: ConformanceOp;
  beforeAll(async () => {
    op = await startConformanceOp(dialect);
  });
  afterAll(async () => op?.close());

  describe.each(VARIANTS)('$auth, $mode', (variant) => {
    let client: PlanClient;
    let other: PlanClient;
    beforeAll(async () => {
      client = await registerClient(op, variant, 1);
      other = await registerClient(op, variant, 2);
    });

    /** openid-client's CIBA flow: initiate with a signed request, approve, then ping-and-redeem or poll. */
    async function tokensWith(config: oidc.Configuration) {
      const started = await oidc.initiateBackchannelAuthentication(config, { request: await client.requestObject() });
      await decide(op, started.auth_req_id, 'allow');
      if (variant.mode === 'ping') {
        await op.dispatch();
        expectPing(op, client, started.auth_req_id);
      }
      waitInterval(op);
      // The interval has passed on the server's clock; openid-client need not sleep it in real time.
      return { started, tokens: await oidc.pollBackchannelAuthenticationGrant(config, { ...started, interval: 0 }) };
    }

    it('gets a certificate-bound Bearer token that introspection, userinfo and refresh honour only with the same certificate', async () => {
      const config = await client.openid();
      expect(config.serverMetadata().tls_client_certificate_bound_access_tokens).toBe(true);
      const { tokens } = await tokensWith(config);
      expect(tokens.token_type).toBe('bearer');
      expect([tokens.claims()?.aud].flat()).toContain(client.clientId);

      const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
      expect(introspected.active).toBe(true);
      expect(introspected.cnf).toEqual({ 'x5t#S256': thumbprint(client.cert.cert) });

      const sub = String(tokens.claims()?.sub);
      expect(await oidc.fetchUserInfo(config, tokens.access_token, sub)).toMatchObject({ sub, email: 'alice@example.com' });

      // Another client's certificate, or none: 401 invalid_token (RFC 8705 §3, RFC 6750 §3.1).
      for (const cert of [other.cert, undefined]) {
        const refused = await op.call(op.metadata.mtls_endpoint_aliases.userinfo_endpoint, cert, { headers: { authorization: `Bearer ${tokens.access_token}` } });
        expect(refused.status).toBe(401);
        expect(refused.json.error).toBe('invalid_token');
        expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
        expect(refused.headers.get('cache-control')).toContain('no-store');
      }
      await expect(oidc.fetchUserInfo(await client.openid(other.cert), tokens.access_token, sub)).rejects.toMatchObject({ status: 401 });

      // The refreshed token is bound to the same certificate.
      const refreshed = await oidc.refreshTokenGrant(config, String(tokens.refresh_token));
      expect(refreshed.token_type).toBe('bearer');
      expect((await oidc.tokenIntrospection(config, refreshed.access_token)).cnf).toEqual({ 'x5t#S256': thumbprint(client.cert.cert) });
      expect(await oidc.fetchUserInfo(config, refreshed.access_token, sub)).toMatchObject({ sub });
    });

    it('cannot redeem without a certificate: a bound-token client must present one at the token endpoint', async () => {
      const started = await oidc.initiateBackchannelAuthentication(await client.openid(), { request: await client.requestObject() });
      await decide(op, started.auth_req_id, 'allow');
      await op.dispatch();
      waitInterval(op);
      await expect(oidc.pollBackchannelAuthenticationGrant(await client.openid(null), { ...started, interval: 0 })).rejects.toMatchObject({ status: expect.any(Number) });
      // The request is still there for the client with its certificate.
      const { access_token } = await oidc.pollBackchannelAuthenticationGrant(await client.openid(), { ...started, interval: 0 });
      expect(access_token).toBeTruthy();
    });

    it('gets a DPoP-bound token over TLS that userinfo takes only with a proof of the same key', async () => {
      // Bound by DPoP only: the certificate (if any) authenticates the tls_client_auth client.
      const dpopClient = await registerClient(op, variant, 1, { tlsClientCertificateBoundAccessTokens: false });
      const config = await dpopClient.openid(variant.auth === 'tls_client_auth' ? undefined : null);
      const DPoP = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
      const started = await oidc.initiateBackchannelAuthentication(config, { request: await dpopClient.requestObject() });
      await decide(op, started.auth_req_id, 'allow');
      if (variant.mode === 'ping') {
        await op.dispatch();
        expectPing(op, dpopClient, started.auth_req_id);
      }
      waitInterval(op);
      const tokens = await oidc.pollBackchannelAuthenticationGrant(config, { ...started, interval: 0 }, undefined, { DPoP });
      expect(tokens.token_type).toBe('dpop');

      const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
      expect(introspected.token_type).toBe('DPoP');
      expect(introspected.cnf).toEqual({ jkt: await DPoP.calculateThumbprint() });

      const sub = String(tokens.claims()?.sub);
      expect(await oidc.fetchUserInfo(config, tokens.access_token, sub, { DPoP })).toMatchObject({ sub, email: 'alice@example.com' });
      // The same token as a Bearer token, or with another key's proof: refused (RFC 9449 §7).
      await expect(oidc.fetchUserInfo(config, tokens.access_token, sub)).rejects.toMatchObject({ status: 401 });
      const otherKey = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
      await expect(oidc.fetchUserInfo(config, tokens.access_token, sub, { DPoP: otherKey })).rejects.toMatchObject({ status: 401 });

      // Refreshing with the same key keeps the binding.
      const refreshed = await oidc.refreshTokenGrant(config, String(tokens.refresh_token), undefined, { DPoP });
      expect(refreshed.token_type).toBe('dpop');
      expect(await oidc.fetchUserInfo(config, refreshed.access_token, sub, { DPoP })).toMatchObject({ sub });
    });
  });
});
