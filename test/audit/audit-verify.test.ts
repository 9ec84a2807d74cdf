import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { runAuditChainer, runAuditRetention } from '../../src/server/audit/audit-housekeeping.js';
import { verifyAuditChain } from '../../src/engine/audit/verify-chain.js';
import { cryptoRandom } from '../../src/lib/random.js';
import { runCli } from '../support/cli.js';
import { insertUnlinkedAuditRows } from '../support/unlinked-audit-rows.js';
import { ManualClock } from '../support/clock.js';
import { basicAuth, createFront, postForm, type FrontFixture } from '../support/front-fixtures.js';
import { bearer, request } from '../support/http.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/test-server.js';

const CIBA = 'urn:openid:params:grant-type:ciba';
const DAY_MS = 24 * 60 * 60 * 1000;

// Issue 14, part 2: editing or deleting one event row makes `openciba audit verify` fail, naming
// the first bad seq; a retention purge leaves a checkpoint and the chain still verifies.
// Each test runs the built command line several times (a process start and a database open each):
// generous time for a loaded machine.
describe.each(DIALECTS)('openciba audit verify and retention (%s)', { timeout: 120_000 }, (dialect) => {
  let server: TestServer;
  let clock: ManualClock;
  let front: FrontFixture;
  let raw: OpenedDatabase;

  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    server = await startTestServer({ dialect, clock, background: false });
    front = await createFront(server);
    raw = openDatabase({ databaseUrl: server.config.databaseUrl, dataDir: server.config.dataDir });
  });
  afterAll(async () => {
    await raw?.close();
    await server?.close();
  });

  const env = () => ({ OPENCIBA_DATA_DIR: server.config.dataDir, ...(server.config.databaseUrl ? { DATABASE_URL: server.config.databaseUrl } : {}) });
  const verify = () => runCli(['audit', 'verify', '--service', front.serviceId], env());
  const serviceId = () => Number(front.serviceId);

  async function pollFlow() {
    const auth = basicAuth(front.clientId, front.clientSecret);
    const started = await postForm(`${front.issuer}/backchannel/authentication`, { scope: 'openid', login_hint: 'alice' }, auth);
    expect(started.status, started.text).toBe(200);
    const authReqId = started.json.auth_req_id as string;
    await request(`${front.issuer}/device/api/ciba/${authReqId}/allow`, { method: 'POST' });
    expect((await postForm(`${front.issuer}/token`, { grant_type: CIBA, auth_req_id: authReqId }, auth)).status).toBe(200);
    return authReqId;
  }
  const rowOf = async (seq: number) =>
    (await sql<{ id: string; data: string }>`select id, data from audit_events where service_id = ${serviceId()} and seq = ${seq}`.execute(raw.db)).rows[0]!;

  it('an intact chain verifies (exit 0, with a summary); the unlinked tail is reported', async () => {
    await pollFlow();
    // The flow's events were linked as they were stored.
    const linked = verify();
    expect(linked.status, linked.stderr).toBe(0);
    expect(linked.stdout).not.toMatch(/not linked yet/);
    expect((await server.runtime.store.auditChainHead(serviceId()))!.seq).toBeGreaterThan(5);
    // Rows an earlier version left unlinked are reported as the tail, until the chainer links them.
    await insertUnlinkedAuditRows(raw.db, serviceId(), 2, clock.now());
    const waiting = verify();
    expect(waiting.status, waiting.stderr).toBe(0);
    expect(waiting.stdout).toMatch(/not linked yet/);
    expect(await runAuditChainer(server.runtime.store)).toBe(2);
    const result = verify();
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^service ${front.serviceId}: audit chain intact: events 1\\.\\.\\d+ \\(\\d+ checked\\), head [0-9a-f]{64}\\n$`));
  });

  it('an edited row fails verification at its seq, and passes again once restored', async () => {
    const row = await rowOf(3);
    await sql`update audit_events set data = ${row.data.replace('}', ',"forged":true}')} where id = ${row.id}`.execute(raw.db);
    const broken = verify();
    expect(broken.status).toBe(1);
    expect(broken.stdout).toContain('BROKEN at seq 3');
    await sql`update audit_events set data = ${row.data} where id = ${row.id}`.execute(raw.db);
    expect(verify().status).toBe(0);
    // Changing a column outside `data` (who the event is about) is caught too.
    await sql`update audit_events set subject = ${'mallory'} where id = ${(await rowOf(2)).id}`.execute(raw.db);
    expect(verify().stdout).toContain('BROKEN at seq 2');
    await sql`update audit_events set subject = ${null} where id = ${(await rowOf(2)).id}`.execute(raw.db);
    const restored = verify();
    expect(restored.status, restored.stdout).toBe(0);
  });

  it('a deleted row fails verification naming the missing seq; so does a deleted first or last row', async () => {
    const head = (await server.runtime.store.auditChainHead(serviceId()))!;
    const saved = (await sql<Record<string, unknown>>`select * from audit_events where service_id = ${serviceId()} and seq in (1, 4, ${head.seq})`.execute(raw.db)).rows;
    const reinsert = async (seq: number) => {
      const row = saved.find((r) => Number(r.seq) === seq)!;
      await raw.db.insertInto('audit_events').values(row as never).execute();
    };
    for (const [seq, named] of [[4, 4], [1, 0], [head.seq, head.seq]] as const) {
      await sql`delete from audit_events where service_id = ${serviceId()} and seq = ${seq}`.execute(raw.db);
      const broken = verify();
      expect(broken.status, `seq ${seq}`).toBe(1);
      expect(broken.stdout).toContain(`BROKEN at seq ${seq === 1 ? 1 : named}`);
      await reinsert(seq);
      expect(verify().status).toBe(0);
    }
    expect(runCli(['audit', 'verify'], env()).status).toBe(2);
    expect(runCli(['audit', 'verify', '--service', 'abc'], env()).status).toBe(2);
  });

  it('retention purges old events behind a checkpoint, and the chain still verifies', async () => {
    const before = (await server.runtime.store.auditChainHead(serviceId()))!;
    clock.advance(31 * DAY_MS);
    const recent = await pollFlow();
    const purged = await runAuditRetention(server.runtime.store, clock, cryptoRandom, 30);
    expect(purged).toBe(before.seq);
    const checkpoints = (await request(`${server.baseUrl}/admin/services/${front.serviceId}/events?type=audit.checkpoint`, { headers: bearer(server.adminToken) })).json.events;
    expect(checkpoints).toHaveLength(1);
    expect(checkpoints[0].data).toEqual({ purgedThroughSeq: before.seq, hash: before.hash });
    const result = await verifyAuditChain(server.runtime.store, serviceId());
    expect(result).toMatchObject({ ok: true, fromSeq: before.seq + 1, unchained: 0 });
    expect(verify().stdout).toContain(`events ${before.seq + 1}..`);
    // The recent transaction's evidence is whole and verified.
    const evidence = (await request(`${server.baseUrl}/admin/services/${front.serviceId}/requests/${recent}/evidence`, { headers: bearer(server.adminToken) })).json;
    expect(evidence.chain.verified).toBe(true);
    expect(evidence.events[0].type).toBe('backchannel.requested');
    // A second purge with nothing old is a no-op; deleting the first kept row without a checkpoint is caught.
    expect(await runAuditRetention(server.runtime.store, clock, cryptoRandom, 30)).toBe(0);
    await sql`delete from audit_events where service_id = ${serviceId()} and seq = ${before.seq + 1}`.execute(raw.db);
    const broken = verify();
    expect(broken.status).toBe(1);
    expect(broken.stdout).toContain(`BROKEN at seq ${before.seq + 1}`);
  });

  it('a directory change from the command line is in the trail, with actor cli', async () => {
    const put = runCli(['user', 'put', '--service', front.serviceId, '--subject', 'erin', '--name', 'Erin', '--status', 'locked'], env());
    expect(put.status, put.stderr).toBe(0);
    expect(runCli(['user', 'delete', '--service', front.serviceId, '--subject', 'erin'], env()).status).toBe(0);
    const changes = (await request(`${server.baseUrl}/admin/services/${front.serviceId}/events?type=admin.changed`, { headers: bearer(server.adminToken) })).json.events.map((e: { data: unknown }) => e.data);
    expect(changes).toEqual(expect.arrayContaining([
      { actor: 'cli', resource: 'user', action: 'lock', target: 'erin', changes: ['name', 'status'] },
      { actor: 'cli', resource: 'user', action: 'delete', target: 'erin' },
    ]));
  });
});
