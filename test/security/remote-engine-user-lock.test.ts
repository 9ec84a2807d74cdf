import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminApi, ClientFixture } from '../support/admin-api.js';
import { basicAuth, postForm } from '../support/front-fixtures.js';
import { bearer, request } from '../support/http.js';
import { startRemoteFront, type RemoteFront } from '../support/remote-front.js';
import { DIALECTS } from '../support/test-server.js';

const CIBA = 'urn:openid:params:grant-type:ciba';

/**
 * Issue 12, finding 2, with the engine in another server (OPENCIBA_ENGINE_URL): the front's user
 * directory is not in the engine's database, so the lock's revocation cannot reach her tokens
 * there. The front, which relays every token answer, must still fail closed: at /introspect,
 * /userinfo and /token, a user who is locked or deleted has no valid token.
 */
describe.each(DIALECTS)('locking a user at a front whose engine is remote (%s)', (dialect) => {
  let remote: RemoteFront;
  let frontAdmin: AdminApi;
  let serviceId: string;
  let issuer: string;
  let client: ClientFixture;

  beforeAll(async () => {
    remote = await startRemoteFront(dialect);
    ({ frontAdmin, serviceId, issuer, client } = remote);
  }, 60_000);
  afterAll(async () => remote?.close());

  const auth = () => basicAuth(client.clientId, client.clientSecret);
  const approved = (subject: string) => remote.approved(subject);
  const redeem = (authReqId: string) => postForm(`${issuer}/token`, { grant_type: CIBA, auth_req_id: authReqId }, auth());
  const refresh = (token: string) => postForm(`${issuer}/token`, { grant_type: 'refresh_token', refresh_token: token }, auth());
  const introspect = async (token: string) => (await postForm(`${issuer}/introspect`, { token }, auth())).json;
  const tokensOf = (subject: string) => remote.tokensOf(subject);

  const lock = (subject: string) => frontAdmin.putUser(serviceId, subject, { name: subject, status: 'locked' });
  const remove = (subject: string) => frontAdmin.call('DELETE', `/admin/services/${serviceId}/users/${subject}`);

  for (const [how, revoke] of [['lock', lock], ['delete', remove]] as const) {
    it(`${how}: her tokens are inactive, useless at userinfo and not refreshable; an approved request gives no tokens; others keep theirs`, async () => {
      const subject = `user-${how}`;
      await frontAdmin.putUser(serviceId, subject, { name: subject });
      await frontAdmin.putUser(serviceId, 'bob', { name: 'Bob' });
      const hers = await tokensOf(subject);
      const bobs = await tokensOf('bob');
      const waiting = await approved(subject);
      expect((await introspect(hers.access_token)).active).toBe(true);

      await revoke(subject);

      expect(await introspect(hers.access_token)).toEqual({ active: false });
      expect(await introspect(hers.refresh_token)).toEqual({ active: false });
      expect((await request(`${issuer}/userinfo`, { headers: bearer(hers.access_token) })).status).toBe(401);
      const refused = await refresh(hers.refresh_token);
      expect(refused.status).toBe(400);
      expect(refused.json.error).toBe('invalid_grant');
      expect(refused.json.access_token).toBeUndefined();
      const denied = await redeem(waiting);
      expect(denied.status).toBe(400);
      expect(denied.json.error).toBe('access_denied');
      expect(denied.json.access_token).toBeUndefined();

      expect((await introspect(bobs.access_token)).active).toBe(true);
      expect((await request(`${issuer}/userinfo`, { headers: bearer(bobs.access_token) })).status).toBe(200);
      expect((await refresh(bobs.refresh_token)).status).toBe(200);
    });
  }
});
