import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, postForm } from '../support/front-fixtures.js';
import { bearer, request } from '../support/http.js';
import { DIALECTS, startTestServer, type Dialect, type TestServer } from '../support/test-server.js';

const CIBA = 'urn:openid:params:grant-type:ciba';

/** Everything the database holds, as bytes: the SQLite files (WAL included), or every PostgreSQL row as text. */
async function databaseBytes(dialect: Dialect, server: TestServer): Promise<Buffer> {
  if (dialect === 'sqlite') {
    const files = readdirSync(server.config.dataDir).filter((name) => name.startsWith('openciba.sqlite'));
    expect(files).toContain('openciba.sqlite');
    return Buffer.concat(files.map((name) => readFileSync(join(server.config.dataDir, name))));
  }
  const client = new pg.Client({ connectionString: server.config.databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
    expect(tables.rows.map((t) => t.name)).toEqual(expect.arrayContaining(['users', 'api_tokens', 'clients', 'tokens', 'backchannel_requests', 'front_requests']));
    const dumps: string[] = [];
    for (const { name } of tables.rows) {
      const rows = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${name.replaceAll('"', '""')}" t`);
      dumps.push(`${name}\n${rows.rows.map((r) => r.row).join('\n')}`);
    }
    return Buffer.from(dumps.join('\n'), 'utf8');
  } finally {
    await client.end();
  }
}

/** The forms in which a secret could trivially sit in the bytes: as is, base64, base64url, hex, and its own decoded bytes. */
function encodingsOf(secret: string): Buffer[] {
  const utf8 = Buffer.from(secret, 'utf8');
  const forms = [utf8, Buffer.from(utf8.toString('base64')), Buffer.from(utf8.toString('base64url')), Buffer.from(utf8.toString('hex'))];
  if (/^[A-Za-z0-9_-]{22,}$/.test(secret)) {
    const raw = Buffer.from(secret, 'base64url');
    forms.push(raw, Buffer.from(raw.toString('hex')));
  }
  return forms;
}

function foundIn(bytes: Buffer, secret: string): string[] {
  return encodingsOf(secret).filter((form) => bytes.includes(form)).map((form) => form.toString('latin1').slice(0, 24));
}

describe.each(DIALECTS)('secrets at rest (%s)', (dialect) => {
  let server: TestServer;
  const secrets: Record<string, string> = {};
  // A value stored in clear on purpose: proves the scan reads the rows the flow wrote.
  const marker = `marker-${randomBytes(6).toString('hex')}@example.com`;

  beforeAll(async () => {
    server = await startTestServer({ dialect, demo: true });
    const demo = server.runtime.demo;
    if (!demo) throw new Error('the demo was not seeded');
    secrets.organizationToken = server.adminToken;
    secrets.clientSecret = demo.clientSecret;
    // Random enough that it cannot turn up in the bytes by chance, short as a person would type.
    secrets.userCode = `uc-${randomBytes(5).toString('hex')}`;

    const put = await request(`${server.baseUrl}/admin/services/${demo.serviceId}/users/dora`, {
      method: 'PUT',
      headers: { ...bearer(server.adminToken), 'content-type': 'application/json' },
      body: JSON.stringify({ email: marker, name: 'Dora', userCode: secrets.userCode }),
    });
    expect(put.status, put.text).toBe(200);
    expect(put.json).toMatchObject({ subject: 'dora', hasUserCode: true });
    expect(put.text).not.toContain(secrets.userCode);

    const auth = basicAuth(String(demo.clientId), demo.clientSecret);
    const backchannel = `${demo.issuer}/backchannel/authentication`;
    const wrong = await postForm(backchannel, { scope: 'openid', login_hint: 'dora', user_code: 'uc-not-hers' }, auth);
    expect(wrong.status, wrong.text).toBe(400);
    expect(wrong.json.error).toBe('invalid_user_code');

    const started = await postForm(backchannel, { scope: 'openid', login_hint: 'dora', user_code: secrets.userCode, binding_message: 'AT-REST' }, auth);
    expect(started.status, started.text).toBe(200);
    secrets.authReqId = started.json.auth_req_id;
    const approved = await request(`${demo.issuer}/device/api/ciba/${secrets.authReqId}/allow`, { method: 'POST' });
    expect(approved.json).toEqual({ result: 'AUTHORIZED' });

    const tokens = await postForm(`${demo.issuer}/token`, { grant_type: CIBA, auth_req_id: secrets.authReqId! }, auth);
    expect(tokens.status, tokens.text).toBe(200);
    expect(tokens.json.refresh_token).toEqual(expect.any(String));
    secrets.accessToken = tokens.json.access_token;
    secrets.refreshToken = tokens.json.refresh_token;

    const refreshed = await postForm(`${demo.issuer}/token`, { grant_type: 'refresh_token', refresh_token: secrets.refreshToken! }, auth);
    expect(refreshed.status, refreshed.text).toBe(200);
    secrets.refreshedAccessToken = refreshed.json.access_token;
    if (refreshed.json.refresh_token !== secrets.refreshToken) secrets.refreshedRefreshToken = refreshed.json.refresh_token;

    const introspected = await postForm(`${demo.issuer}/introspect`, { token: secrets.refreshedAccessToken! }, auth);
    expect(introspected.json).toMatchObject({ active: true, sub: 'dora' });

    // A rotated-in signing key rests sealed like the keys the service was created with.
    const rotated = await request(`${server.baseUrl}/admin/services/${demo.serviceId}/keys/rotate`, {
      method: 'POST', headers: { ...bearer(server.adminToken), 'content-type': 'application/json' }, body: '{"alg":"ES256"}',
    });
    expect(rotated.status, rotated.text).toBe(200);
    const next = (rotated.json.keys as { kid: string; state: string }[]).find((k) => k.state === 'next')!;
    const privateSet = await request(`${server.baseUrl}/api/${demo.serviceId}/service/jwks/get?includePrivateKeys=true`, { headers: bearer(server.adminToken) });
    const privateKeys = privateSet.json.keys as { kid: string; alg: string; d: string }[];
    secrets.rotatedSigningKey = privateKeys.find((k) => k.kid === next.kid)!.d;
    secrets.replacedSigningKey = privateKeys.find((k) => k.alg === 'ES256' && k.kid !== next.kid)!.d;
  });
  afterAll(() => server?.close());

  it('holds none of the organization token, client secret, tokens, auth_req_id, user code or private signing keys in clear', async () => {
    const bytes = await databaseBytes(dialect, server);
    expect(bytes.includes(Buffer.from(marker)), 'the scan must see what the flow stored').toBe(true);
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret.length, name).toBeGreaterThanOrEqual(12);
      expect(foundIn(bytes, secret), name).toEqual([]);
    }
  });

  it('stores the user code as a salted scrypt hash that the admin API never returns', async () => {
    const demo = server.runtime.demo!;
    const user = await server.runtime.store.getUser(demo.serviceId, 'dora');
    expect(user?.data.userCode).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    const got = await request(`${server.baseUrl}/admin/services/${demo.serviceId}/users/dora`, { headers: bearer(server.adminToken) });
    expect(got.json).toMatchObject({ subject: 'dora', hasUserCode: true });
    expect(got.json).not.toHaveProperty('userCode');

    // The same code set twice rests as two different hashes (a fresh salt each time).
    const again = await request(`${server.baseUrl}/admin/services/${demo.serviceId}/users/dora`, {
      method: 'PUT',
      headers: { ...bearer(server.adminToken), 'content-type': 'application/json' },
      body: JSON.stringify({ email: marker, name: 'Dora', userCode: secrets.userCode }),
    });
    expect(again.status).toBe(200);
    const rehashed = await server.runtime.store.getUser(demo.serviceId, 'dora');
    expect(rehashed?.data.userCode).toMatch(/^scrypt\$/);
    expect(rehashed?.data.userCode).not.toBe(user?.data.userCode);
  });
});
