import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startServe } from '../support/cli.js';
import { bearer, request } from '../support/http.js';

describe('openciba user enrol | devices | revoke-device', () => {
  it('prints a one-time enrolment link the running server accepts, lists devices and refuses unknown ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openciba-enrol-'));
    const env = { PATH: process.env.PATH ?? '', OPENCIBA_DATA_DIR: dir, OPENCIBA_ADMIN_TOKEN: 'cli-admin-token-0123456789' };
    const started = await startServe(env);
    try {
      const admin = { ...bearer(env.OPENCIBA_ADMIN_TOKEN), 'content-type': 'application/json' };
      const serviceId = (await request(`${started.url}/api/service/create`, { method: 'POST', headers: admin, body: '{}' })).json.apiKey as number;
      await request(`${started.url}/admin/services/${serviceId}/users/erin`, { method: 'PUT', headers: admin, body: '{"name":"Erin"}' });
      const service = ['--service', String(serviceId), '--subject', 'erin'];

      const enrolled = runCli(['user', 'enrol', ...service, '--expires-in', '120'], env);
      expect(enrolled.status, enrolled.stderr).toBe(0);
      const link = /^(\S+)\n/.exec(enrolled.stdout)![1]!;
      expect(link).toMatch(new RegExp(`/s/${serviceId}/authenticator/#enrol=[\\w-]{43}$`));
      const code = link.split('#enrol=')[1]!;
      const startEnrol = () => request(`${started.url}/s/${serviceId}/authenticator/api/enrol/start`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
      expect((await startEnrol()).status).toBe(200);
      // In the audit trail as an admin API enrolment is, by the command line.
      const changes = (await request(`${started.url}/admin/services/${serviceId}/events?type=admin.changed`, { headers: admin })).json.events as { subject?: string; data: unknown }[];
      expect(changes.at(-1)).toMatchObject({ subject: 'erin', data: { actor: 'cli', resource: 'device', action: 'create', target: 'erin', changes: ['expiresIn'] } });
      expect(JSON.stringify(changes)).not.toContain(code);

      expect(runCli(['user', 'devices', ...service], env)).toEqual({ status: 0, stdout: '', stderr: '' });
      expect(runCli(['user', 'revoke-device', ...service, '--device', 'nope'], env)).toEqual({ status: 1, stdout: '', stderr: 'openciba: no device nope of erin\n' });
      expect(runCli(['user', 'enrol', ...service, '--expires-in', '601'], env)).toMatchObject({ status: 2, stderr: 'openciba: --expires-in is 30 to 600 seconds\n' });
      expect(runCli(['user', 'enrol', '--service', String(serviceId), '--subject', 'nobody'], env)).toMatchObject({ status: 2, stderr: 'openciba: no active user nobody\n' });
      expect(runCli(['user', 'revoke-device', ...service], env)).toMatchObject({ status: 2, stderr: 'openciba: user revoke-device needs --device <device id>\n' });
    } finally {
      await started.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
