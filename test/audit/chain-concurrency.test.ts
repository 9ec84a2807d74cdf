import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/ports.js';
import { createAuditSink } from '../../src/server/audit/audit-sink.js';
import { runAuditChainer } from '../../src/server/audit/audit-housekeeping.js';
import { verifyAuditChain } from '../../src/engine/audit/verify-chain.js';
import { createKeyring } from '../../src/lib/keyring.js';
import { cryptoRandom } from '../../src/lib/random.js';
import { ManualClock } from '../support/clock.js';
import { DIALECTS, freshPostgresUrl } from '../support/test-server.js';
import { insertUnlinkedAuditRows } from '../support/unlinked-audit-rows.js';

// Events are linked as they are stored (audit-append.ts), by every node at once, while the
// chainers of every node link the rows an earlier version left unlinked (audit-chain.ts): every
// event is linked exactly once, in one unbroken chain per service.
describe.each(DIALECTS)('audit chains extended by two nodes and their chainers at once (%s)', (dialect) => {
  let nodes: Store[];
  let raw: OpenedDatabase;
  let dataDir: string;
  const clock = new ManualClock(Date.now());
  const keyring = createKeyring(Buffer.alloc(32, 7));

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-chain-'));
    const databaseUrl = dialect === 'postgres' ? await freshPostgresUrl() : undefined;
    const first = (await openStore({ databaseUrl, dataDir })).store;
    // On SQLite one process is one store: the second "node" shares it, as in one runtime.
    const second = dialect === 'postgres' ? (await openStore({ databaseUrl, dataDir })).store : first;
    nodes = [first, second];
    raw = openDatabase({ databaseUrl, dataDir });
  });
  afterAll(async () => {
    await raw?.close();
    for (const store of new Set(nodes)) await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('links every event once, in one chain per service, while events keep arriving', async () => {
    // An earlier version's unlinked rows, 30 per service, older than anything recorded below.
    for (const serviceId of [1, 2]) await insertUnlinkedAuditRows(raw.db, serviceId, 30, clock.now());
    const sinks = nodes.map((store) => createAuditSink({ store, keyring, clock, random: cryptoRandom }));
    const write = async (sink: (typeof sinks)[number], n: number) => {
      for (let i = 0; i < n; i++) {
        clock.advance(1);
        await sink.record({ serviceId: 1 + (i % 2), type: 'request.issued', authReqId: `req-${i}`, data: { expiresIn: 300, i } });
      }
    };
    const chainers = async () => {
      let linked = 0;
      for (let round = 0; round < 10; round++) linked += (await Promise.all(nodes.map((store) => runAuditChainer(store)))).reduce((a, b) => a + b, 0);
      return linked;
    };
    const [, , linkedWhileWriting] = await Promise.all([write(sinks[0]!, 150), write(sinks[1]!, 150), chainers()]);
    const linkedAfter = await Promise.all(nodes.map((store) => runAuditChainer(store)));
    // The chainers linked the 60 old rows and nothing else: each recorded event was linked when stored.
    expect(linkedWhileWriting + linkedAfter.reduce((a, b) => a + b, 0)).toBe(60);
    for (const serviceId of [1, 2]) {
      const result = await verifyAuditChain(nodes[0]!, serviceId);
      expect(result).toMatchObject({ ok: true, checked: 180, fromSeq: 1, toSeq: 180, unchained: 0 });
    }
  });

  it('events recorded at once by concurrent requests are stored in batches, each acknowledged once stored', async () => {
    const sink = createAuditSink({ store: nodes[0]!, keyring, clock, random: cryptoRandom });
    // More than one batch's worth at once.
    await Promise.all(Array.from({ length: 450 }, (_, i) => sink.record({ serviceId: 3, type: 'user.unknown', data: { hintType: 'LOGIN_HINT', i } })));
    // Acknowledged means stored and linked: no chainer ran, and the other node sees the whole chain.
    expect(await nodes[0]!.countUnchainedAuditEvents(3)).toBe(0);
    expect(await verifyAuditChain(nodes[1]!, 3)).toMatchObject({ ok: true, checked: 450, fromSeq: 1, toSeq: 450, unchained: 0 });
    const stored = await nodes[0]!.listAuditEvents(3, { limit: 1000 });
    expect(new Set(stored.map((e) => (JSON.parse(e.data) as { i: number }).i)).size).toBe(450);
  });
});
