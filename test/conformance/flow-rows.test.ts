/**
 * FAPI-CIBA plan rows that run the whole flow (conformance-ciba.md §2.2): 3, 4, 7, 8, 9, 11 and 44,
 * in the four variants (poll/ping × private_key_jwt/tls_client_auth), on both dialects.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, registerClient, startConformanceOp, VARIANTS, type ConformanceOp, type PlanClient } from '../support/conformance-op.js';
import { DIALECTS } from '../support/test-server.js';
import { expectBackchannelError, expectTokenError, expectTokenSuccess, expectValidIdToken, thumbprint } from './checks.js';
import { afterDecision, fullSuccess, startAndPollTwice } from './flow.js';


describe.each(DIALECTS)('FAPI-CIBA plan, flow rows (%s)', (dialect) => {
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
    const userinfo = () => op.metadata.mtls_endpoint_aliases.userinfo_endpoint as string;

    it('row 3 (fapi-ciba-id1): two clients succeed; the resource refuses a token in the query and another client\'s certificate; a redeemed auth_req_id is invalid_grant', async () => {
      // Client 1: the assertion's aud is the issuer.
      const one = await fullSuccess(op, client1, {}, { assertionAudience: op.issuer });
      // The suite's extra resource checks for client 1 (§3.8).
      const inQuery = await op.call(`${userinfo()}?access_token=${encodeURIComponent(one.tokens.access_token)}`, client1.cert);
      expect([400, 401, 414]).toContain(inQuery.status);
      for (const accept of ['application/json; charset=UTF-8', 'application/json, application/*;q=0.9, */*;q=0.8']) {
        const answer = await op.call(userinfo(), client1.cert, { headers: { authorization: `Bearer ${one.tokens.access_token}`, accept } });
        expect(answer.status).toBe(200);
        expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      }
      // The resource call's own checks (§3.8): a Date within 5 minutes, the interaction id echoed.
      const interactionId = randomUUID();
      const resource = await op.call(userinfo(), client1.cert, { headers: { authorization: `Bearer ${one.tokens.access_token}`, 'x-fapi-interaction-id': interactionId, 'x-fapi-auth-date': new Date().toUTCString() } });
      expect(resource.status).toBe(200);
      expect(Math.abs(Date.parse(String(resource.headers.get('date'))) - Date.now())).toBeLessThan(300_000);
      expect(resource.headers.get('x-fapi-interaction-id')).toBe(interactionId);

      // Client 2: typ in odd case, requested_expiry 300 (a number), a 1024-character notification token
      // in ping mode, acr_values only if advertised; the assertion's aud is the plain token endpoint.
      const acr = (op.metadata.acr_values_supported as string[] | undefined)?.[0];
      const longToken = `${'A'.repeat(1023)}=`;
      const two = await fullSuccess(
        op,
        client2,
        { requested_expiry: 300, ...(variant.mode === 'ping' ? { client_notification_token: longToken } : {}), ...(acr ? { acr_values: acr } : {}) },
        { header: { typ: 'oAuTh-AuThZ-rEq+JwT' }, assertionAudience: op.metadata.token_endpoint, notificationToken: variant.mode === 'ping' ? longToken : client2.notificationToken },
      );
      expect(two.started.expiresIn).toBe(300);
      if (acr) expect(String(two.idToken.acr).split(' ')).toContain(acr);

      // Client 2's access token over client 1's certificate: 4xx.
      const crossed = await op.call(userinfo(), client1.cert, { headers: { authorization: `Bearer ${two.tokens.access_token}` } });
      expect(crossed.status).toBeGreaterThanOrEqual(400);
      expect(crossed.status).toBeLessThan(500);
      expect(crossed.json.error).toBe('invalid_token');

      // Client 2's redeemed auth_req_id again: 400 invalid_grant (CIBA §11).
      expectTokenError(await client2.poll(two.started.authReqId), { invalid_grant: [400] });
    });

    it('row 4 (user-rejects-authentication): access_denied after the denial; in ping mode after a ping', async () => {
      const started = await startAndPollTwice(op, client1, await client1.stdBackchannel());
      await decide(op, started.authReqId, 'deny');
      expectTokenError(await afterDecision(op, client1, started), { access_denied: [400] });
    });

    it('row 7 (binding message "1234" succeeds)', async () => {
      await fullSuccess(op, client1, { binding_message: '1234' });
    });

    it('row 8 (scope tokens in another order succeed, RFC 6749 §3.3)', async () => {
      const { tokens } = await fullSuccess(op, client1, { scope: 'email openid' });
      expect(String(tokens.scope).split(' ').sort()).toEqual(['email', 'openid']);
    });

    it('row 9 (requested_expiry as a JSON string "30" succeeds, and is honoured)', async () => {
      const { started } = await fullSuccess(op, client1, { requested_expiry: '30' });
      expect(started.expiresIn).toBe(30);
    });

    it('row 11 (a long binding message with emoji and kanji): invalid_binding_message or full success', async () => {
      const message = `1234 \u{1F44D}\u{1F3FD} 品川 ${'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. '.repeat(4)}`.slice(0, 460);
      const answer = await client1.backchannel({ request: await client1.requestObject({ binding_message: message }), ...(await client1.authForm(op.metadata.backchannel_authentication_endpoint)) });
      if (answer.status === 200) {
        // Accepted: the rest of the flow must then succeed too (the suite asks for a screenshot).
        const started = await startAndPollTwice(op, client1, answer);
        await decide(op, started.authReqId, 'allow');
        await expectValidIdToken(op, client1, expectTokenSuccess(await afterDecision(op, client1, started)), started.authReqId);
      } else {
        expectBackchannelError(answer, { invalid_binding_message: [400] });
      }
    });

    it('row 44 (refresh-token): both clients refresh with bound tokens; client 1 presenting client 2\'s refresh token gets invalid_grant', async () => {
      const one = await fullSuccess(op, client1);
      const two = await fullSuccess(op, client2, {}, { assertionAudience: op.metadata.token_endpoint });
      op.clock.advance(2_000);
      for (const [client, first, scope] of [[client1, one, 'openid email'], [client2, two, undefined]] as const) {
        expect(first.tokens.refresh_token).toMatch(/^[\x20-\x7E]+$/);
        const answer = await client.token({ grant_type: 'refresh_token', refresh_token: String(first.tokens.refresh_token), ...(scope ? { scope } : {}), ...(await client.authForm(op.metadata.mtls_endpoint_aliases.token_endpoint)) });
        const refreshed = expectTokenSuccess(answer);
        const introspected = await op.call(op.metadata.mtls_endpoint_aliases.userinfo_endpoint, client.cert, { headers: { authorization: `Bearer ${refreshed.access_token}` } });
        expect(introspected.status).toBe(200);
        if (refreshed.id_token) {
          const claims = await expectValidIdToken(op, client, refreshed);
          expect([claims.iss, claims.sub, claims.aud]).toEqual([first.idToken.iss, first.idToken.sub, first.idToken.aud]);
          expect(claims.iat).not.toBe(first.idToken.iat);
          if ('auth_time' in first.idToken) expect(claims.auth_time).toBe(first.idToken.auth_time);
          expect(claims.azp).toBe(first.idToken.azp);
        }
        // The new access token is bound to the same certificate.
        const other = client === client1 ? client2 : client1;
        const crossed = await op.call(op.metadata.mtls_endpoint_aliases.userinfo_endpoint, other.cert, { headers: { authorization: `Bearer ${refreshed.access_token}` } });
        expect(crossed.status).toBe(401);
        expect(thumbprint(client.cert.cert)).not.toBe(thumbprint(other.cert.cert));
      }
      // Client 1 presents client 2's (rotated or not, never its own) refresh token.
      const stolen = await client1.token({ grant_type: 'refresh_token', refresh_token: String(two.tokens.refresh_token), ...(await client1.authForm(op.metadata.mtls_endpoint_aliases.token_endpoint)) });
      expectTokenError(stolen, { invalid_grant: [400] });
    });
  });
});
