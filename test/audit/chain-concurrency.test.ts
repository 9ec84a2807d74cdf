import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/ports.js';
import { createAuditSink } from '../../src/server/audit/audit-sink.js';
import { runAuditChainer } from '../../src/server/audit/audit-housekeeping.js';
import { verifyAuditChain } from '../../src/engine/audit/verify-chain.js';
import { createKeyring } from '../../src/lib/keyring.js';
import { cryptoRandom } from '../../src/lib/random.js';
import { ManualClock } from '../support/clock.js';
import { DIALECTS, freshPostgresUrl } from '../support/test-server.js';

// The chain is linked after the insert by chainers that may run on every node at once
// (audit-chain.ts): with events arriving from two nodes and both nodes linking concurrently,
// every event is linked exactly once, in one unbroken chain per service.
describe.each(DIALECTS)('audit chainers racing each other (%s)', (dialect) => {
  let nodes: Store[];
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
  });
  afterAll(async () => {
    for (const store of new Set(nodes)) await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('links every event once, in one chain per service, while events keep arriving', async () => {
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
    expect(linkedWhileWriting + linkedAfter.reduce((a, b) => a + b, 0)).toBe(300);
    for (const serviceId of [1, 2]) {
      const result = await verifyAuditChain(nodes[0]!, serviceId);
      expect(result).toMatchObject({ ok: true, checked: 150, fromSeq: 1, toSeq: 150, unchained: 0 });
    }
  });

  it('events recorded at once by concurrent requests are stored in batches, each acknowledged once stored', async () => {
    const sink = createAuditSink({ store: nodes[0]!, keyring, clock, random: cryptoRandom });
    // More than one batch's worth at once.
    await Promise.all(Array.from({ length: 450 }, (_, i) => sink.record({ serviceId: 3, type: 'user.unknown', data: { hintType: 'LOGIN_HINT', i } })));
    expect(await nodes[0]!.countUnchainedAuditEvents(3)).toBe(450);
    await runAuditChainer(nodes[0]!);
    expect(await verifyAuditChain(nodes[1]!, 3)).toMatchObject({ ok: true, checked: 450 });
    const stored = await nodes[0]!.listAuditEvents(3, { limit: 1000 });
    expect(new Set(stored.map((e) => (JSON.parse(e.data) as { i: number }).i)).size).toBe(450);
  });
});
