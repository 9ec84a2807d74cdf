/**
 * FAPI-CIBA plan rows about client authentication and holder-of-key (conformance-ciba.md §2.2):
 * 29–37 and 45, with the TLS checks of §3.12. Rows 30–32 apply to MTLS clients only and rows 33–37
 * to private_key_jwt clients only (the suite marks them so): each is generated only for the
 * variants it applies to.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerClient, startConformanceOp, VARIANTS, type ConformanceOp, type PlanClient } from '../support/conformance-op.js';
import { DIALECTS } from '../support/test-server.js';
import { handshake } from '../support/tls-probe.js';
import { CLIENT_AUTH_ERRORS, expectBackchannelError, expectBackchannelSuccess, expectPending, expectTokenError } from './checks.js';

const CIBA_GRANT = 'urn:openid:params:grant-type:ciba';
/** 400, or 401 only with invalid_client (CheckTokenEndpointHttpStatusIs400Allowing401ForInvalidClientError). */
const tokenAuthErrors = (...errors: string[]) => Object.fromEntries(errors.map((error) => [error, error === 'invalid_client' ? [400, 401] : [400]]));

describe.each(DIALECTS)('FAPI-CIBA plan, client-authentication rows (%s)', (dialect) => {
  let op: ConformanceOp;
  beforeAll(async () => {
    op = await startConformanceOp(dialect);
  });
  afterAll(async () => op?.close());

  describe.each(VARIANTS)('$auth, $mode', (variant) => {
    let client1: PlanClient;
    let client2: PlanClient;
    beforeAll(async () => {
      client1 = await registerClient(op, variant, 1);
      client2 = await registerClient(op, variant, 2);
    });
    const tokenEndpoint = () => op.metadata.mtls_endpoint_aliases.token_endpoint as string;
    const started = async () => expectBackchannelSuccess(await client1.stdBackchannel()).authReqId;

    it("row 29 (client 2 presents client 1's auth_req_id): 400 invalid_grant, JSON", async () => {
      expectTokenError(await client2.poll(await started()), { invalid_grant: [400] });
    });

    it('row 45 (token request without any TLS client certificate): a 4xx JSON error', async () => {
      const authReqId = await started();
      const allowed = variant.auth === 'tls_client_auth' ? tokenAuthErrors('invalid_client', 'invalid_request') : tokenAuthErrors('invalid_request', 'invalid_grant', 'invalid_client');
      expectTokenError(await client1.poll(authReqId, { cert: null }), allowed);
      // The request is untouched: with the certificate it is still pending.
      expectPending(await client1.poll(authReqId));
    });

    if (variant.auth === 'tls_client_auth') {
      it("row 30 (client 1's request object, form client_id of client 2, client 1's certificate): 401 invalid_client", async () => {
        const answer = await client1.backchannel({ request: await client1.requestObject(), client_id: client2.clientId });
        expectBackchannelError(answer, { invalid_client: [401] });
      });

      it("row 31 (client 1's auth_req_id, client_id of client 2, client 1's certificate): invalid_client", async () => {
        const authReqId = await started();
        expectTokenError(await client1.token({ grant_type: CIBA_GRANT, auth_req_id: authReqId, client_id: client2.clientId }), tokenAuthErrors('invalid_client'));
      });

      it("row 32 (client_id and iss of client 2, signed with client 1's key, client 1's certificate): access_denied, invalid_request or invalid_client", async () => {
        const answer = await client1.backchannel({ request: await client1.requestObject({ iss: client2.clientId }), client_id: client2.clientId });
        expectBackchannelError(answer, CLIENT_AUTH_ERRORS);
      });
    }

    if (variant.auth === 'private_key_jwt') {
      it('row 33 (token request with client_id only, no assertion): invalid_request or invalid_client', async () => {
        const authReqId = await started();
        expectTokenError(await client1.poll(authReqId, { auth: { client_id: client1.clientId } }), tokenAuthErrors('invalid_request', 'invalid_client'));
      });

      it('row 34 (backchannel request with client_id only, no assertion): access_denied, invalid_request or invalid_client', async () => {
        expectBackchannelError(await client1.backchannel({ request: await client1.requestObject(), client_id: client1.clientId }), CLIENT_AUTH_ERRORS);
      });

      // Rows 35 and 36 apply because client 1's key is PS256; its tokenAuthSignAlg (PS256) is the
      // explicit setting that refuses RS256 from the same RSA key.
      it('row 35 (backchannel client assertion signed RS256): access_denied, invalid_request or invalid_client', async () => {
        const answer = await client1.backchannel({ request: await client1.requestObject(), ...(await client1.authForm(op.metadata.backchannel_authentication_endpoint, { alg: 'RS256' })) });
        expectBackchannelError(answer, CLIENT_AUTH_ERRORS);
      });

      it('row 36 (token request with an RS256 client assertion): invalid_client, not pending', async () => {
        const authReqId = await started();
        const answer = await client1.poll(authReqId, { auth: await client1.authForm(tokenEndpoint(), { alg: 'RS256' }) });
        expectTokenError(answer, { invalid_client: [400, 401] });
      });

      it("row 37 (token request whose assertion aud is the issuer): accepted, so pending", async () => {
        const authReqId = await started();
        expectPending(await client1.poll(authReqId, { auth: await client1.authForm(op.issuer) }));
      });
    }
  });

  describe('row 45, TLS of the token and userinfo endpoints (§3.12)', () => {
    const port = () => Number(new URL(op.metadata.token_endpoint).port);
    const legacy = { ciphers: 'DEFAULT@SECLEVEL=0' };

    it('refuses TLS 1.0 and 1.1', async () => {
      expect((await handshake(port(), op.pki.root.cert, { minVersion: 'TLSv1', maxVersion: 'TLSv1', ...legacy })).ok).toBe(false);
      expect((await handshake(port(), op.pki.root.cert, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ...legacy })).ok).toBe(false);
    });

    it('offers TLS 1.2 with forward-secret AEAD suites, and prefers TLS 1.3', async () => {
      for (const cipher of ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384']) {
        expect(await handshake(port(), op.pki.root.cert, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: cipher })).toMatchObject({ ok: true, protocol: 'TLSv1.2' });
      }
      expect(await handshake(port(), op.pki.root.cert)).toMatchObject({ ok: true, protocol: 'TLSv1.3' });
    });

    it('refuses TLS 1.2 suites without AEAD (BCP 195 / RFC 9325 §4.2)', async () => {
      for (const cipher of ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA', 'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-ECDSA-AES256-SHA384']) {
        expect((await handshake(port(), op.pki.root.cert, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: cipher })).ok, cipher).toBe(false);
      }
    });
  });
});
