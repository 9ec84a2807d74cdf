import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminApi, ClientFixture } from '../support/admin-api.js';
import { basicAuth, postForm } from '../support/front-fixtures.js';
import { CLI } from '../support/cli.js';
import { bearer, request } from '../support/http.js';
import { startRemoteFront, type RemoteFront } from '../support/remote-front.js';
import { DIALECTS, type TestServer } from '../support/test-server.js';

const CIBA = 'urn:openid:params:grant-type:ciba';
const json = { 'content-type': 'application/json' };

/**
 * A real HTTP relay on loopback between the front and its engine, which can cut the engine off
 * for the revocation call only: the front must then answer 502, keep the user locked, and reach
 * the engine again when the operator repeats the request.
 */
async function startRelay(target: string): Promise<{ url: string; cutRevocations: boolean; cutAll: boolean; revocations: number; close(): Promise<void> }> {
  const relay = { url: '', cutRevocations: false, cutAll: false, revocations: 0, close: async () => {} };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (relay.cutAll) return req.socket.destroy();
    if (req.url?.endsWith('/subjects/revoke')) {
      relay.revocations++;
      if (relay.cutRevocations) return req.socket.destroy();
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name))) as Record<string, string>;
    const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
    const answer = await fetch(`${target}${req.url}`, { method: req.method!, headers, ...(body ? { body } : {}) });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  relay.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  relay.close = () => new Promise((resolve) => server.close(() => resolve()));
  return relay;
}

/** `openciba ARGS…` run asynchronously: the engine it calls runs in this very process. */
function cli(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * Issue 12, finding 2, at the engine: when the front runs apart from its engine, locking or
 * deleting a user there must also revoke her tokens in the engine's database (POST
 * /admin/services/{id}/subjects/revoke), so the engine's own introspection calls them unusable
 * and unlocking her at the front revives nothing.
 */
describe.each(DIALECTS)('revocation at a remote engine (%s)', (dialect) => {
  let remote: RemoteFront;
  let engine: TestServer;
  let front: TestServer;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let frontAdmin: AdminApi;
  let engineAdmin: AdminApi;
  let serviceId: string;
  let otherServiceId: string;
  let frontToken: string;
  let otherToken: string;
  let issuer: string;
  let client: ClientFixture;

  beforeAll(async () => {
    remote = await startRemoteFront(dialect, { engineUrl: async (target) => (relay = await startRelay(target.baseUrl)).url });
    ({ engine, front, frontAdmin, engineAdmin, serviceId, frontToken, issuer, client } = remote);
    otherServiceId = (await engineAdmin.createService({ serviceName: 'other' })).serviceId;
    otherToken = await remote.serviceToken(otherServiceId);
  }, 60_000);
  afterAll(async () => {
    await remote?.close();
    await relay?.close();
  });

  const auth = () => basicAuth(client.clientId, client.clientSecret);
  const approved = (subject: string) => remote.approved(subject);
  const tokensOf = (subject: string) => remote.tokensOf(subject);
  /** The engine's own verdict (Authlete /auth/introspection), asked directly, not through the front. */
  async function usableAtEngine(token: string): Promise<boolean> {
    const answer = await request(`${engine.baseUrl}/api/${serviceId}/auth/introspection`, { method: 'POST', headers: { ...bearer(frontToken), ...json }, body: JSON.stringify({ token }) });
    expect(answer.status, answer.text).toBe(200);
    return answer.json.usable === true;
  }
  /** The engine's token endpoint: a refresh there bypasses the front's guard entirely. */
  async function refreshAtEngine(token: string): Promise<string> {
    const parameters = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString();
    const answer = await request(`${engine.baseUrl}/api/${serviceId}/auth/token`, {
      method: 'POST',
      headers: { ...bearer(frontToken), ...json },
      body: JSON.stringify({ parameters, clientId: client.clientId, clientSecret: client.clientSecret }),
    });
    expect(answer.status, answer.text).toBe(200);
    return answer.json.action === 'OK' ? 'OK' : (JSON.parse(answer.json.responseContent as string).error as string);
  }
  const putUser = (subject: string, status: 'active' | 'locked') =>
    request(`${front.baseUrl}/admin/services/${serviceId}/users/${subject}`, { method: 'PUT', headers: { ...bearer(front.adminToken), ...json }, body: JSON.stringify({ name: subject, status }) });
  const deleteUser = (subject: string) => request(`${front.baseUrl}/admin/services/${serviceId}/users/${subject}`, { method: 'DELETE', headers: bearer(front.adminToken) });

  for (const how of ['lock', 'delete'] as const) {
    const revoke = (subject: string) => (how === 'lock' ? putUser(subject, 'locked') : deleteUser(subject));

    it(`${how}: the engine calls her access and refresh tokens unusable, unlocking revives nothing, others keep theirs`, async () => {
      const subject = `engine-${how}`;
      await frontAdmin.putUser(serviceId, subject, { name: subject });
      await frontAdmin.putUser(serviceId, `bob-${how}`, { name: 'Bob' });
      const hers = await tokensOf(subject);
      const bobs = await tokensOf(`bob-${how}`);
      expect(await usableAtEngine(hers.access_token)).toBe(true);

      const answer = await revoke(subject);
      expect(answer.status, answer.text).toBe(how === 'lock' ? 200 : 204);

      expect(await usableAtEngine(hers.access_token)).toBe(false);
      expect(await usableAtEngine(hers.refresh_token)).toBe(false);
      expect(await refreshAtEngine(hers.refresh_token)).toBe('invalid_grant');
      // Unlocking (or creating her again) at the front gives her old tokens no second life.
      expect((await putUser(subject, 'active')).status).toBe(200);
      expect(await usableAtEngine(hers.access_token)).toBe(false);
      expect((await postForm(`${issuer}/introspect`, { token: hers.access_token }, auth())).json).toEqual({ active: false });
      expect(await refreshAtEngine(hers.refresh_token)).toBe('invalid_grant');

      expect(await usableAtEngine(bobs.access_token)).toBe(true);
      expect(await refreshAtEngine(bobs.refresh_token)).toBe('OK');
    });

    it(`${how}: engine unreachable → 502 with an explanation, she stays locked out; the same request again revokes at the engine`, async () => {
      const subject = `cut-${how}`;
      await frontAdmin.putUser(serviceId, subject, { name: subject });
      const hers = await tokensOf(subject);
      relay.cutRevocations = true;
      const before = relay.revocations;
      let failed;
      try {
        failed = await revoke(subject);
      } finally {
        relay.cutRevocations = false;
      }
      expect(relay.revocations).toBe(before + 1);
      expect(failed.status, failed.text).toBe(502);
      expect(failed.headers.get('cache-control')).toBe('no-store');
      expect(failed.json.resultCode).toBe('A001102');
      expect(failed.json.resultMessage).toMatch(/remote engine did not revoke.*repeat this request/);
      // Still revoked here and refused by the front; the engine has not heard of it yet.
      expect((await postForm(`${issuer}/introspect`, { token: hers.access_token }, auth())).json).toEqual({ active: false });
      expect(await usableAtEngine(hers.access_token)).toBe(true);

      const retried = await revoke(subject);
      // A DELETE repeated finds her gone here (404) but has reached the engine all the same.
      expect(retried.status, retried.text).toBe(how === 'lock' ? 200 : 404);
      expect(relay.revocations).toBe(before + 2);
      expect(await usableAtEngine(hers.access_token)).toBe(false);
      expect(await usableAtEngine(hers.refresh_token)).toBe(false);
    });
  }

  it('openciba user put --status locked / delete: the CLI revokes at the engine too, and says so when it cannot', async () => {
    const env: Record<string, string> = {
      OPENCIBA_DATA_DIR: front.config.dataDir,
      OPENCIBA_ADMIN_TOKEN: front.adminToken,
      OPENCIBA_ENGINE_URL: relay.url,
      OPENCIBA_ENGINE_TOKEN: frontToken,
      ...(front.config.databaseUrl ? { DATABASE_URL: front.config.databaseUrl } : {}),
    };
    const args = (action: string, subject: string, ...more: string[]) => ['user', action, '--service', serviceId, '--subject', subject, ...more];
    for (const [subject, action, more] of [['cli-lock', 'put', ['--status', 'locked']], ['cli-delete', 'delete', []]] as const) {
      await frontAdmin.putUser(serviceId, subject, { name: subject });
      const hers = await tokensOf(subject);
      relay.cutRevocations = true;
      let failed;
      try {
        failed = await cli(args(action, subject, ...more), env);
      } finally {
        relay.cutRevocations = false;
      }
      expect(failed.status, failed.stderr).toBe(1);
      expect(failed.stderr).toMatch(/remote engine did not revoke.*run the command again/);
      expect(await usableAtEngine(hers.access_token)).toBe(true);
      const retried = await cli(args(action, subject, ...more), env);
      // A delete repeated finds her gone here (exit 1, "no user") but has reached the engine.
      expect(retried.status, retried.stderr).toBe(action === 'put' ? 0 : 1);
      expect(await usableAtEngine(hers.access_token)).toBe(false);
      expect(await usableAtEngine(hers.refresh_token)).toBe(false);
    }
  }, 60_000);

  it('an approved but unredeemed request of hers is denied at the engine too', async () => {
    const subject = 'engine-waiting';
    await frontAdmin.putUser(serviceId, subject, { name: subject });
    const waiting = await approved(subject);
    expect((await putUser(subject, 'locked')).status).toBe(200);
    const answer = await engineAdmin.call('POST', `/api/${serviceId}/auth/token`, {
      parameters: new URLSearchParams({ grant_type: CIBA, auth_req_id: waiting }).toString(),
      clientId: client.clientId,
      clientSecret: client.clientSecret,
    });
    expect(answer.action).toBe('BAD_REQUEST');
    expect(JSON.parse(answer.responseContent).error).toBe('access_denied');
  });

  describe('POST /admin/services/{id}/subjects/revoke at the engine', () => {
    const revokeAt = (service: string, body: string | undefined, token: string | null = frontToken) =>
      request(`${engine.baseUrl}/admin/services/${service}/subjects/revoke`, {
        method: 'POST',
        headers: { ...(token !== null ? bearer(token) : {}), ...json },
        ...(body !== undefined ? { body } : {}),
      });

    it('answers what it revoked, and is idempotent', async () => {
      await frontAdmin.putUser(serviceId, 'direct', { name: 'direct' });
      const hers = await tokensOf('direct');
      const first = await revokeAt(serviceId, JSON.stringify({ subject: 'direct' }));
      expect(first.status, first.text).toBe(200);
      expect(first.headers.get('cache-control')).toBe('no-store');
      expect(first.json).toEqual({ revokedTokens: 1, deniedRequests: 0 });
      expect(await usableAtEngine(hers.access_token)).toBe(false);
      expect((await revokeAt(serviceId, JSON.stringify({ subject: 'direct' }))).json).toEqual({ revokedTokens: 0, deniedRequests: 0 });
      // The organization token may do it too.
      expect((await revokeAt(serviceId, JSON.stringify({ subject: 'direct' }), engine.adminToken)).status).toBe(200);
    });

    const hostile: [string, string | undefined][] = [
      ['no body', undefined],
      ['an empty object', '{}'],
      ['an empty subject', JSON.stringify({ subject: '' })],
      ['a subject of 256 characters', JSON.stringify({ subject: 'x'.repeat(256) })],
      ['a NUL in the subject', JSON.stringify({ subject: 'alice\u0000' })],
      ['a newline in the subject', JSON.stringify({ subject: 'alice\nbob' })],
      ['a DEL in the subject', JSON.stringify({ subject: 'alice\u007f' })],
      ['an object for a subject', JSON.stringify({ subject: { $ne: '' } })],
      ['an array', JSON.stringify([{ subject: 'alice' }])],
      ['malformed JSON', '{"subject":'],
      ['an unknown member', JSON.stringify({ subject: 'alice', everyone: true })],
    ];
    for (const [what, body] of hostile) {
      it(`400 for ${what}`, async () => {
        const answer = await revokeAt(serviceId, body);
        expect(answer.status, answer.text).toBe(400);
        expect(answer.headers.get('cache-control')).toBe('no-store');
        expect(typeof answer.json.resultCode).toBe('string');
        expect(typeof answer.json.resultMessage).toBe('string');
      });
    }

    it('401 without a token or with a wrong one, 403 with another service\'s token, 404 for an unknown service', async () => {
      const body = JSON.stringify({ subject: 'alice' });
      expect((await revokeAt(serviceId, body, null)).status).toBe(401);
      expect((await revokeAt(serviceId, body, 'not-a-token')).status).toBe(401);
      expect((await revokeAt(serviceId, body, `${frontToken}x`)).status).toBe(401);
      const foreign = await revokeAt(serviceId, body, otherToken);
      expect(foreign.status, foreign.text).toBe(403);
      expect(foreign.json.resultCode).toBe('A001204');
      expect((await revokeAt(otherServiceId, body, frontToken)).status).toBe(403);
      const unknown = await revokeAt('999999999', body, engine.adminToken);
      expect(unknown.status, unknown.text).toBe(404);
      expect(unknown.json.resultCode).toBe('A001205');
      expect((await revokeAt('not-a-number', body, engine.adminToken)).status).toBeGreaterThanOrEqual(400);
    });
  });
  it('an engine that cannot be reached at all is a 502, not a missing service: the lock waits for the retry', async () => {
    await putUser('frank', 'active');
    relay.cutAll = true;
    let failed;
    try {
      failed = await putUser('frank', 'locked');
    } finally {
      relay.cutAll = false;
    }
    expect(failed.status, failed.text).toBe(502);
    expect(failed.headers.get('cache-control')).toBe('no-store');
    expect(failed.json.resultCode).toBe('A001102');
    expect(failed.json.resultMessage).toMatch(/could not be asked.*repeat this request/);
    // Nothing was changed while the engine was out of reach; the repeated request locks her.
    expect((await request(`${front.baseUrl}/admin/services/${serviceId}/users/frank`, { headers: bearer(front.adminToken) })).json.status).toBe('active');
    expect((await putUser('frank', 'locked')).status).toBe(200);
    // A service the engine really does not know is still a 404.
    const unknown = await request(`${front.baseUrl}/admin/services/999999999/users/frank`, { method: 'PUT', headers: { ...bearer(front.adminToken), ...json }, body: '{}' });
    expect(unknown.status, unknown.text).toBe(404);
  });
});
