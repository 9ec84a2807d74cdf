import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServe, type NodeProcess } from '../support/cli.js';
import { bearer, request } from '../support/http.js';

/** `openciba key rotate | list` against the database of a running server (another process, as another node would be). */
describe('openciba key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openciba-keys-cli-'));
  const env = { PATH: process.env.PATH ?? '', OPENCIBA_DATA_DIR: dir, OPENCIBA_ADMIN_TOKEN: 'cli-admin-token-0123456789' };
  let server: NodeProcess;
  let serviceId: string;

  beforeAll(async () => {
    server = await startServe(env);
    serviceId = String((await request(`${server.url}/api/service/create`, {
      method: 'POST', headers: { ...bearer(env.OPENCIBA_ADMIN_TOKEN), 'content-type': 'application/json' }, body: '{}',
    })).json.apiKey);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rotates a key that the running server publishes at once and that signs after the pre-publication time', async () => {
    const rotated = runCli(['key', 'rotate', '--service', serviceId, '--alg', 'ES256'], env);
    expect(rotated.status, rotated.stderr).toBe(0);
    const keys = JSON.parse(rotated.stdout).keys as Record<string, string>[];
    const next = keys.find((k) => k.state === 'next')!;
    expect(next).toMatchObject({ alg: 'ES256', use: 'sig' });
    // The default pre-publication time: ten minutes.
    expect(Date.parse(next.activatesAt!) - Date.parse(next.createdAt!)).toBe(600_000);
    expect(rotated.stdout).not.toMatch(/"(d|p|q|dp|dq|qi)"/);

    const published = (await request(`${server.url}/s/${serviceId}/jwks`)).json;
    expect(published.keys.map((k: { kid: string }) => k.kid)).toContain(next.kid);
    const listed = runCli(['key', 'list', '--service', serviceId], env);
    expect(JSON.parse(listed.stdout).keys).toEqual(keys);
    const viaApi = (await request(`${server.url}/admin/services/${serviceId}/keys`, { headers: bearer(env.OPENCIBA_ADMIN_TOKEN) })).json;
    expect(viaApi.keys).toEqual(keys);

    // The setting, as a flag: a key that signs at once.
    const now = runCli(['key', 'rotate', '--service', serviceId, '--alg', 'EdDSA', '--key-prepublication-seconds', '0'], env);
    expect(now.status, now.stderr).toBe(0);
    expect(JSON.parse(now.stdout).keys.filter((k: Record<string, string>) => k.alg === 'EdDSA').map((k: Record<string, string>) => k.state)).toEqual(['retiring', 'current']);
  }, 60_000);

  it('refuses a pending rotation, an unsupported alg, a missing service and bad flags, with the reason', () => {
    expect(runCli(['key', 'rotate', '--service', serviceId, '--alg', 'ES256'], env)).toMatchObject({ status: 1, stdout: '', stderr: expect.stringMatching(/^openciba: rotation_pending: A new ES256 key is already waiting to sign from /) });
    expect(runCli(['key', 'rotate', '--service', serviceId, '--alg', 'HS256'], env)).toMatchObject({ status: 1, stderr: expect.stringContaining('The alg HS256 is not supported') });
    expect(runCli(['key', 'rotate', '--service', '1'], env)).toEqual({ status: 1, stdout: '', stderr: 'openciba: not_found: No such service.\n' });
    expect(runCli(['key', 'rotate'], env)).toMatchObject({ status: 2, stderr: 'openciba: key rotate needs --service <service id>\n' });
    expect(runCli(['key', 'spin', '--service', serviceId], env)).toMatchObject({ status: 2, stderr: 'openciba: key needs a subcommand: rotate or list\n' });
    expect(runCli(['key', 'rotate', '--service', serviceId, '--key-prepublication-seconds=-5'], env)).toMatchObject({ status: 2, stderr: expect.stringContaining('OPENCIBA_KEY_PREPUBLICATION_SECONDS must be a whole number from 0 to 2592000') });
  });
});
