import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/ports.js';
import { createAuditSink } from '../../src/server/audit/audit-sink.js';
import { createKeyring } from '../../src/lib/keyring.js';
import { cryptoRandom } from '../../src/lib/random.js';
import { ManualClock } from '../support/clock.js';

// The sink gives the front's events, which name only a ticket or an auth_req_id, the request key
// that the engine's earlier events of the same request named (store migration 0016).
describe('request keys through the audit sink', () => {
  let store: Store;
  let dataDir: string;
  const clock = new ManualClock(Date.now());
  const keyring = createKeyring(Buffer.alloc(32, 9));

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-sink-key-'));
    store = (await openStore({ dataDir })).store;
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('carries the engine\'s key to the front\'s events of the same ticket and auth_req_id, and to no other request', async () => {
    const sink = createAuditSink({ store, keyring, clock, random: cryptoRandom });
    const key = '001764800000000-000000-abcdefghijkl';
    sink.queue({ serviceId: 5, type: 'backchannel.requested', ticket: 'ticket-1', requestKey: key, data: {} });
    sink.queue({ serviceId: 5, type: 'user.identified', ticket: 'ticket-1', subject: 'alice', data: {} });
    sink.queue({ serviceId: 5, type: 'request.issued', ticket: 'ticket-1', authReqId: 'auth-req-1', requestKey: key, data: { expiresIn: 60 } });
    sink.queue({ serviceId: 5, type: 'device.notified', authReqId: 'auth-req-1', data: { channel: 'embedded' } });
    // Another request the sink has no key for: stored without one.
    sink.queue({ serviceId: 5, type: 'device.notified', authReqId: 'auth-req-2', data: { channel: 'embedded' } });
    await sink.settled();

    const events = await store.transactionAuditEvents(5, keyring.digest('auth-req-1'));
    expect(events.map((e) => [e.type, e.requestKey])).toEqual([
      ['backchannel.requested', key],
      ['user.identified', key],
      ['request.issued', key],
      ['device.notified', key],
    ]);
    // The auth_req_id's sealed copy opens to it in each event that names it.
    for (const e of events.filter((x) => x.authReqIdSealed)) expect(keyring.open(e.authReqIdSealed!)).toBe('auth-req-1');
    const other = await store.transactionAuditEvents(5, keyring.digest('auth-req-2'));
    expect(other.map((e) => [e.type, e.requestKey])).toEqual([['device.notified', null]]);
  });
});
