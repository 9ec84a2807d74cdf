import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { DIALECTS } from '../support/test-server.js';
import { content, form, jwtBearerType, keyPair, newClient, newService, signJwt, startCiba, type CibaEnv, type KeyPair, type TestClient, type TestService } from '../support/ciba-fixtures.js';

const HOUR = 3600;
const TEN_YEARS = 10 * 365 * 24 * HOUR;

/**
 * Finding 7 of issue 12: a client assertion (RFC 7523) may not live for years, because its jti is
 * remembered until its exp. Sent through a real server (the API's backchannel endpoint), and the
 * replay table read straight from the database.
 */
describe.each(DIALECTS)('client assertion lifetime (%s)', (dialect) => {
  let env: CibaEnv;
  let service: TestService;
  let key: KeyPair;
  let client: TestClient;
  let database: OpenedDatabase;

  beforeAll(async () => {
    env = await startCiba({ dialect });
    service = await newService(env);
    key = await keyPair('PS256');
    client = await newClient(env, service.serviceId, { tokenAuthMethod: 'PRIVATE_KEY_JWT', tokenAuthSignAlg: 'PS256', jwks: JSON.stringify({ keys: [key.publicJwk] }) });
    database = openDatabase({ dataDir: env.server.config.dataDir, databaseUrl: env.server.config.databaseUrl });
  });
  afterAll(async () => {
    await database?.close();
    await env?.close();
  });

  const now = () => Math.floor(env.clock.now() / 1000);

  async function present(times: { iat?: number; exp: number }, jti = randomBytes(12).toString('hex')) {
    const id = client.clientId;
    const assertion = await signJwt(key, { iss: id, sub: id, aud: service.issuer, jti, ...times });
    const answer = await env.sdk.ciba.processAuthentication({
      serviceId: service.serviceId,
      backchannelAuthenticationRequest: {
        parameters: form({ scope: 'openid', login_hint: 'alice', client_assertion_type: jwtBearerType, client_assertion: assertion }),
      },
    });
    return { answer, jti };
  }

  async function jtiRows(jti: string): Promise<Array<{ expires_at: number }>> {
    const db = database.db as any;
    const rows = (await db.selectFrom('used_jtis').select(['expires_at']).where('jti', '=', jti).execute()) as Array<{ expires_at: number | string }>;
    return rows.map((row) => ({ expires_at: Number(row.expires_at) }));
  }

  function expectRefused(answer: Awaited<ReturnType<typeof present>>['answer'], description: string) {
    expect(answer.action).toBe('UNAUTHORIZED');
    // A169319: the backchannel endpoint's "client authentication failed" code.
    expect(content(answer)).toEqual({ error: 'invalid_client', error_description: `[A169319] ${description}` });
  }

  it('accepts exp = iat + 60 minutes and remembers its jti until exp plus the skew', async () => {
    const t = now();
    const { answer, jti } = await present({ iat: t, exp: t + HOUR });
    expect(answer.action).toBe('USER_IDENTIFICATION');
    const rows = await jtiRows(jti);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.expires_at).toBeGreaterThanOrEqual((t + HOUR) * 1000);
    expect(rows[0]!.expires_at).toBeLessThanOrEqual((t + HOUR + 60) * 1000);
  });

  it('refuses exp = iat + 60 minutes + 1 second, and remembers nothing', async () => {
    const t = now();
    const { answer, jti } = await present({ iat: t, exp: t + HOUR + 1 });
    expectRefused(answer, 'the client assertion lifetime (exp minus iat) exceeds 60 minutes');
    expect(await jtiRows(jti)).toEqual([]);
  });

  it('refuses a ten-year assertion, with or without iat, and writes no jti row', async () => {
    const t = now();
    const withIat = await present({ iat: t, exp: t + TEN_YEARS });
    expectRefused(withIat.answer, 'the client assertion lifetime (exp minus iat) exceeds 60 minutes');
    expect(await jtiRows(withIat.jti)).toEqual([]);

    const withoutIat = await present({ exp: t + TEN_YEARS });
    expectRefused(withoutIat.answer, 'the client assertion exp is more than 60 minutes ahead');
    expect(await jtiRows(withoutIat.jti)).toEqual([]);
  });

  it('refuses an iat more than 60 minutes in the past', async () => {
    const t = now();
    const { answer, jti } = await present({ iat: t - HOUR - 120, exp: t + 60 });
    expectRefused(answer, 'the client assertion iat is more than 60 minutes in the past');
    expect(await jtiRows(jti)).toEqual([]);
  });
});
