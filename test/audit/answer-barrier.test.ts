import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store, StoredAuditEvent } from '../../src/store/ports.js';
import { createAuditSink } from '../../src/server/audit/audit-sink.js';
import { installAuditAnswerBarrier } from '../../src/server/audit/answer-barrier.js';
import { createKeyring } from '../../src/lib/keyring.js';
import { cryptoRandom } from '../../src/lib/random.js';
import { systemClock } from '../../src/lib/clock.js';
import { DIALECTS, freshPostgresUrl } from '../support/test-server.js';

// Events emitted while an answer is made are queued (AuditSink.queue), not waited for one by one;
// the answer waits for them. A store that takes its time to commit shows the order: the client
// never sees an answer before the events its request queued are on disk.
describe.each(DIALECTS)('answers wait for the audit events their request queued (%s)', (dialect) => {
  let store: Store;
  let dataDir: string;
  let app: FastifyInstance;
  let url: string;
  // Each event is stored only once its gate opens (a slow disk, a busy PostgreSQL).
  let gateMs = 0;
  let failNext = false;
  const logged: { level: string; details: Record<string, unknown> }[] = [];
  const serviceId = 1_000_000 + Math.floor(Math.random() * 1_000_000);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-barrier-'));
    const databaseUrl = dialect === 'postgres' ? await freshPostgresUrl() : undefined;
    store = (await openStore({ databaseUrl, dataDir })).store;
    const slow = {
      async appendAuditEvent(event: StoredAuditEvent) {
        if (failNext) {
          failNext = false;
          throw new Error('disk full');
        }
        await new Promise((r) => setTimeout(r, gateMs));
        return store.appendAuditEvent(event);
      },
    };
    const sink = createAuditSink({ store: slow, keyring: createKeyring(Buffer.alloc(32, 3)), clock: systemClock, random: cryptoRandom });
    const line = (level: string) => (details: Record<string, unknown>) => logged.push({ level, details });
    sink.useLog({ info: line('info'), warn: line('warn'), error: line('error') });
    app = Fastify();
    installAuditAnswerBarrier(app, sink);
    app.post<{ Querystring: { n: string; tag: string } }>('/act', async (request) => {
      for (let i = 0; i < Number(request.query.n); i++) sink.queue({ serviceId, type: 'request.issued', data: { tag: request.query.tag, i } });
      return { ok: true };
    });
    app.get('/idle', async () => ({ pending: sink.settled() !== undefined }));
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const stored = async (tag: string) =>
    (await store.listAuditEvents(serviceId, { limit: 1000 })).filter((e) => (JSON.parse(e.data) as { tag?: string }).tag === tag);

  it('answers only once every event the request queued is stored and linked', async () => {
    gateMs = 150;
    const started = Date.now();
    const answers = await Promise.all(['a', 'b', 'c'].map((tag) => fetch(`${url}/act?n=3&tag=${tag}`, { method: 'POST' }).then(async (r) => ({ status: r.status, tag, events: await stored(tag) }))));
    // Each answer was read only after it arrived, and by then its events were there, in its chain.
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.events.map((e) => JSON.parse(e.data).i)).toEqual([0, 1, 2]);
      expect(answer.events.every((e) => e.seq !== null && e.hash !== null)).toBe(true);
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    gateMs = 0;
  });

  it('lets an answer go at once when nothing is queued', async () => {
    expect(await (await fetch(`${url}/idle`)).json()).toEqual({ pending: false });
  });

  it('logs an event that could not be stored in full, at error level, and still answers', async () => {
    failNext = true;
    const response = await fetch(`${url}/act?n=1&tag=lost`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await stored('lost')).toEqual([]);
    const line = logged.find((l) => l.level === 'error' && l.details.event === 'audit_not_stored');
    expect(line?.details).toMatchObject({ serviceId, type: 'request.issued', data: { tag: 'lost', i: 0 } });
    // The next event is stored as usual.
    await fetch(`${url}/act?n=1&tag=after`, { method: 'POST' });
    expect((await stored('after')).length).toBe(1);
  });
});
