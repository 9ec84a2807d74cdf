/**
 * Plan rows 26, 35, 36 and 43 against the FAPI profile itself (`supportedServiceProfiles:
 * ["FAPI"]`, issue 11 item 5) instead of the explicit settings that request-object-rows.test.ts
 * and client-auth-rows.test.ts use: no `requestObjectRequired`, no client `bcRequestSignAlg` /
 * `tokenAuthSignAlg`, and client keys registered without `alg` (conformance-op.ts), so only the
 * profile can refuse. Without the profile (engine/fapi) rows 26, 43, 35 and 36 fail here.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { registerClient, startConformanceOp, VARIANTS, type ConformanceOp, type PlanClient } from '../support/conformance-op.js';
import { DIALECTS } from '../support/test-server.js';
import { CLIENT_AUTH_ERRORS, expectBackchannelError, expectBackchannelSuccess, expectTokenError, INVALID_REQUEST } from './checks.js';

describe.each(DIALECTS)('FAPI-CIBA plan rows under the FAPI profile (%s)', (dialect) => {
  let op: ConformanceOp;
  beforeAll(async () => {
    op = await startConformanceOp(dialect, { service: { supportedServiceProfiles: ['FAPI'], requestObjectRequired: undefined } });
  });
  afterAll(async () => op?.close());

  describe.each(VARIANTS)('$auth, $mode', (variant) => {
    let client: PlanClient;
    beforeAll(async () => {
      client = await registerClient(op, variant, 1, { bcRequestSignAlg: undefined, tokenAuthSignAlg: undefined });
    });
    const send = async (form: Record<string, string>) => client.backchannel({ ...form, ...(await client.authForm(op.metadata.backchannel_authentication_endpoint)) });

    it('the std request (PS256) still succeeds', async () => {
      expectBackchannelSuccess(await send({ request: await client.requestObject() }));
    });

    it('row 26 (request object signed RS256): 400 invalid_request', async () => {
      expectBackchannelError(await send({ request: await client.requestObject({}, { alg: 'RS256' }) }), INVALID_REQUEST);
    });

    it('row 43 (unsigned request): 400 invalid_request', async () => {
      const plain = { scope: 'openid email', login_hint: 'alice', binding_message: '1234', ...(variant.mode === 'ping' ? { client_notification_token: client.notificationToken } : {}) };
      expectBackchannelError(await send(plain), INVALID_REQUEST);
    });

    if (variant.auth === 'private_key_jwt') {
      it('row 35 (backchannel assertion RS256): access_denied, invalid_request or invalid_client', async () => {
        const answer = await client.backchannel({ request: await client.requestObject(), ...(await client.authForm(op.metadata.backchannel_authentication_endpoint, { alg: 'RS256' })) });
        expectBackchannelError(answer, CLIENT_AUTH_ERRORS);
      });

      it('row 36 (token assertion RS256): invalid_client', async () => {
        const { authReqId } = expectBackchannelSuccess(await send({ request: await client.requestObject() }));
        const answer = await client.poll(authReqId, { auth: await client.authForm(op.metadata.mtls_endpoint_aliases.token_endpoint, { alg: 'RS256' }) });
        expectTokenError(answer, { invalid_client: [400, 401] });
      });
    }
  });
});
