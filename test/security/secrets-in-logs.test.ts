import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi } from '../support/admin-api.js';
import { startServe, type NodeProcess } from '../support/cli.js';
import { basicAuth, postForm } from '../support/front-fixtures.js';
import { bearer, request } from '../support/http.js';

const CIBA = 'urn:openid:params:grant-type:ciba';

// Issue 12, finding 9, tried again with the logger on at its most verbose: after a whole flow
// (backchannel request with a user code, approval, token, refresh, introspection, userinfo,
// revocation, and the ways a client may put a token in a URL), nothing secret is in the output.
describe('the server log holds no token, secret or user code (pino at trace level)', () => {
  let dataDir: string;
  let node: NodeProcess;
  let log = '';
  const adminToken = randomBytes(24).toString('base64url');

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-logs-'));
    node = await startServe({ OPENCIBA_DATA_DIR: dataDir, OPENCIBA_MODE: 'development', OPENCIBA_DEMO: '0', OPENCIBA_ADMIN_TOKEN: adminToken, LOG_LEVEL: 'trace' });
    log = node.output();
    node.child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    node.child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  }, 60_000);
  afterAll(async () => {
    await node?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('after a full flow, no secret appears in the output', async () => {
    const api = adminApi(node.url, adminToken);
    const { serviceId, issuer } = await api.createService({ serviceName: 'logs', backchannelUserCodeParameterSupported: true });
    const { clientId, clientSecret } = await api.createClient(serviceId, { bcDeliveryMode: 'POLL', bcUserCodeRequired: true });
    const userCode = 'uc-7f3a9b21';
    await api.putUser(serviceId, 'alice', { name: 'Alice', userCode });
    const auth = basicAuth(clientId, clientSecret);
    const serviceToken = (await request(`${node.url}/admin/services/${serviceId}/tokens`, { method: 'POST', headers: bearer(adminToken) })).json.token as string;

    const wrong = await postForm(`${issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice', user_code: 'uc-wrong-1234' }, auth);
    expect(wrong.json.error).toBe('invalid_user_code');
    const started = await postForm(`${issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice', user_code: userCode }, auth);
    expect(started.status, started.text).toBe(200);
    const authReqId = started.json.auth_req_id as string;
    expect((await request(`${issuer}/device/api/ciba/${authReqId}/allow`, { method: 'POST' })).status).toBe(200);
    const tokens = await postForm(`${issuer}/token`, { grant_type: CIBA, auth_req_id: authReqId }, auth);
    expect(tokens.status, tokens.text).toBe(200);
    const refreshed = await postForm(`${issuer}/token`, { grant_type: 'refresh_token', refresh_token: tokens.json.refresh_token }, auth);
    expect(refreshed.status, refreshed.text).toBe(200);
    const accessToken = refreshed.json.access_token as string;
    await postForm(`${issuer}/introspect`, { token: accessToken }, auth);
    // Form credentials (client_secret_post) are refused for this client, but they were sent.
    await postForm(`${issuer}/introspect`, { token: accessToken, client_id: clientId, client_secret: clientSecret });
    expect((await request(`${issuer}/userinfo`, { headers: bearer(accessToken) })).status).toBe(200);
    // RFC 6750 §2.3: a token in the query string is a URI the server logs unless it redacts it.
    await request(`${issuer}/userinfo?access_token=${encodeURIComponent(accessToken)}`);
    await request(`${node.url}/api/${serviceId}/auth/introspection?token=${encodeURIComponent(accessToken)}`, { headers: bearer(serviceToken) });
    await postForm(`${issuer}/revoke`, { token: refreshed.json.refresh_token }, auth);
    await request(`${node.url}/api/${serviceId}/service/get`, { headers: bearer(serviceToken) });
    // Wrong codes until the lockout: a security event is logged, without the codes.
    const guesses = ['uc-guess-0001', 'uc-guess-0002', 'uc-guess-0003', 'uc-guess-0004', 'uc-guess-0005'];
    for (const guess of guesses) await postForm(`${issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice', user_code: guess }, auth);
    await expect.poll(() => log.includes('user_code_lockout')).toBe(true);

    const secrets: Record<string, string> = {
      adminToken,
      serviceToken,
      clientSecret,
      userCode,
      wrongUserCode: 'uc-wrong-1234',
      accessToken: tokens.json.access_token,
      refreshToken: tokens.json.refresh_token,
      newAccessToken: accessToken,
      newRefreshToken: refreshed.json.refresh_token,
      idToken: tokens.json.id_token,
      basic: auth.authorization!.slice('Basic '.length),
      ...Object.fromEntries(guesses.map((g, i) => [`guess${i}`, g])),
    };
    // The output is the server's: its banner is there (per-request lines are off by design, app.ts).
    expect(log).toContain('Listening:');
    for (const [name, value] of Object.entries(secrets)) {
      for (const form of new Set([value, encodeURIComponent(value)])) {
        expect(log.includes(form), `${name} is in the log`).toBe(false);
      }
    }
  });
});
