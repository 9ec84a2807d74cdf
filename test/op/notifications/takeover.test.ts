import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_BATCH_SIZE, DEFAULT_LEASE_MS, type DispatcherDeps } from '../../../src/op/notifications/dispatcher.js';
import type { Store } from '../../../src/store/ports.js';
import { DIALECTS } from '../../support/test-server.js';
import { ManualClock } from '../../support/clock.js';
import { OutboxHarness, type TestStore } from './support.js';
import type { Handler, Receiver } from '../../support/receiver.js';

/**
 * What happens to the rows of a node that dies: its leases must keep every other node off them
 * until they run out, and not a millisecond longer. Deterministic: the clock is moved by hand,
 * and "dying" is a store handle that claims and is closed.
 */

/** A dispatcher with no settings leases for a few seconds and renews while it lives (lease-keeper.ts). */
let h: OutboxHarness;
let db: TestStore;
let clock: ManualClock;

const receiver = (handler?: Handler) => h.receiver(handler);
const dispatcher = (store: Store, overrides: Partial<DispatcherDeps> = {}) => h.dispatcher({ store, ...overrides });
const enqueuePing = (endpoint: string, authReqId: string) =>
  h.enqueuePing(endpoint, { idPrefix: 'tk', token: 'takeover-token', authReqId, expiresIn: 10 * DEFAULT_LEASE_MS });
const row = (id: string) => h.row(id);

/** auth_req_id → how many times it reached the receiver. */
function deliveriesByFlow(r: Receiver): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const request of r.requests) {
    const id = (JSON.parse(request.body) as { auth_req_id: string }).auth_req_id;
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return counts;
}

describe.each(DIALECTS)('outbox leases and takeover on %s', (dialect) => {
  beforeEach(async () => {
    h = await OutboxHarness.open(dialect);
    ({ db, clock } = h);
  });

  afterEach(() => h.close());

  it('a claim leases at most its limit, and never a row another handle holds', async () => {
    const r = await receiver();
    for (let i = 0; i < 10; i += 1) {
      await enqueuePing(r.url(), `limit-${i}`);
      clock.advance(1);
    }
    const other = await db.openAnother();
    const now = clock.now();

    const first = await db.store.claimDueOutbox(now, now + 1_000, 4);
    const second = await other.claimDueOutbox(now, now + 1_000, 4);
    const third = await db.store.claimDueOutbox(now, now + 1_000, 4);
    const fourth = await other.claimDueOutbox(now, now + 1_000, 4);

    expect([first.length, second.length, third.length, fourth.length]).toEqual([4, 4, 2, 0]);
    const ids = [...first, ...second, ...third].map((claimed) => claimed.id);
    expect(new Set(ids).size).toBe(10);
    for (const claimed of [...first, ...second, ...third]) expect(claimed.claimedUntil).toBe(now + 1_000);
  });

  it(`rows claimed by a handle that dies are left alone for exactly the default lease (${DEFAULT_LEASE_MS} ms), then another dispatcher delivers each once`, async () => {
    const r = await receiver();
    const records = [await enqueuePing(r.url(), 'dead-0'), await enqueuePing(r.url(), 'dead-1'), await enqueuePing(r.url(), 'dead-2')];
    const claimedAt = clock.now();

    const doomed = await db.openAnother();
    const claimed = await doomed.claimDueOutbox(claimedAt, claimedAt + DEFAULT_LEASE_MS, DEFAULT_BATCH_SIZE);
    expect(claimed.map((c) => c.id).sort()).toEqual(records.map((c) => c.id).sort());
    await doomed.close(); // dies holding the leases, having sent nothing

    const survivor = dispatcher(db.store);
    for (const at of [0, 1, DEFAULT_LEASE_MS - 1, DEFAULT_LEASE_MS]) {
      clock.current = claimedAt + at;
      expect(await survivor.runOnce(), `at +${at} ms`).toBe(0);
    }
    expect(r.connections).toBe(0);

    clock.current = claimedAt + DEFAULT_LEASE_MS + 1;
    expect(await survivor.runOnce()).toBe(3);
    expect(deliveriesByFlow(r)).toEqual({ 'dead-0': 1, 'dead-1': 1, 'dead-2': 1 });
    for (const record of records) {
      expect(await row(record.id)).toMatchObject({ status: 'delivered', attempts: 1, claimedUntil: null, finishedAt: clock.now() });
    }

    // Delivered means done: no later run sends any of them again.
    clock.advance(10 * DEFAULT_LEASE_MS);
    expect(await survivor.runOnce()).toBe(0);
    expect(r.requests).toHaveLength(3);
  });

  it(`a dispatcher with no lease setting leases a row for ${DEFAULT_LEASE_MS} ms; when its node dies mid-delivery the row is sent again only after that`, async () => {
    expect(DEFAULT_LEASE_MS).toBeLessThanOrEqual(3_000);
    let answerFirst: (() => void) | undefined;
    const r = await receiver((_request, res) => {
      if (answerFirst === undefined && r.requests.length === 1) answerFirst = () => res.writeHead(204).end();
      else res.writeHead(204).end();
    });
    const record = await enqueuePing(r.url(), 'mid-delivery');
    const claimedAt = clock.now();

    const nodeA = await db.openAnother();
    const warnings: string[] = [];
    const a = dispatcher(nodeA, { log: { warn: (_obj, msg) => warnings.push(msg), info: () => {} } });
    const runA = a.runOnce();
    await expect.poll(() => answerFirst !== undefined, { timeout: 5_000, interval: 5 }).toBe(true);
    expect(await row(record.id)).toMatchObject({ status: 'pending', attempts: 0, claimedUntil: claimedAt + DEFAULT_LEASE_MS });

    // Node A loses its database while the receiver still holds its request: it cannot record the outcome.
    await nodeA.close();
    answerFirst!();
    expect(await runA).toBe(1);
    expect(warnings).toEqual(['could not record a notification outcome']);
    expect(await row(record.id)).toMatchObject({ status: 'pending', attempts: 0, claimedUntil: claimedAt + DEFAULT_LEASE_MS });

    const b = dispatcher(db.store);
    clock.current = claimedAt + DEFAULT_LEASE_MS;
    expect(await b.runOnce()).toBe(0);
    expect(r.requests).toHaveLength(1);

    clock.current = claimedAt + DEFAULT_LEASE_MS + 1;
    expect(await b.runOnce()).toBe(1);
    // At least once: the copy A sent, and B's.
    expect(deliveriesByFlow(r)).toEqual({ 'mid-delivery': 2 });
    expect(await row(record.id)).toMatchObject({ status: 'delivered', attempts: 1, claimedUntil: null });
  });

  describe('a live node renews its leases; a row whose lease ran out unrenewed is not sent', () => {
    const LEASE_MS = 10_000;
    const TIMEOUT_MS = 2_000;

    /**
     * Two rows in one claim, sent one after the other; the first delivery "takes" `elapsed` ms
     * (the receiver moves the clock before answering), so the second comes up with that much
     * less of its lease left. The heartbeat's real timer is far slower than the test, so no
     * renewal happens unless `renewDuringFirst` asks for one.
     */
    async function slowFirstDelivery(elapsed: number, renewDuringFirst = false) {
      let moved = false;
      let d: ReturnType<typeof dispatcher> | undefined;
      const r = await receiver(async (_request, res) => {
        if (!moved) {
          moved = true;
          if (renewDuringFirst) {
            clock.advance(LEASE_MS / 2);
            await d!.renewLeases();
            clock.advance(elapsed - LEASE_MS / 2);
          } else clock.advance(elapsed);
        }
        res.writeHead(204).end();
      });
      const first = await enqueuePing(r.url(), 'slow-first');
      clock.advance(1); // the claim takes the rows in due order
      const second = await enqueuePing(r.url(), 'near-expiry');
      const claimedAt = clock.now();
      d = dispatcher(db.store, { leaseMs: LEASE_MS, heartbeatMs: 60_000, timeoutMs: TIMEOUT_MS, batchSize: 2, concurrency: 1 });
      expect(await d.runOnce()).toBe(2);
      return { r, d, first, second, claimedAt };
    }

    it('sends it while its lease holds', async () => {
      const { r, second, claimedAt } = await slowFirstDelivery(LEASE_MS - 1);
      expect(deliveriesByFlow(r)).toEqual({ 'slow-first': 1, 'near-expiry': 1 });
      expect(await row(second.id)).toMatchObject({ status: 'delivered', attempts: 1, finishedAt: claimedAt + LEASE_MS - 1 });
    });

    it('skips it when the lease ran out unrenewed, hands it back, and it is sent once by the next claim', async () => {
      const { r, d, first, second } = await slowFirstDelivery(LEASE_MS);
      expect(deliveriesByFlow(r)).toEqual({ 'slow-first': 1 });
      expect((await row(first.id)).status).toBe('delivered');
      // Released at the end of the run, so no node has to wait for anything.
      expect(await row(second.id)).toMatchObject({ status: 'pending', attempts: 0, lastError: null, claimedUntil: null });
      expect(await d.runOnce()).toBe(1);
      expect(deliveriesByFlow(r)).toEqual({ 'slow-first': 1, 'near-expiry': 1 });
      expect(await row(second.id)).toMatchObject({ status: 'delivered', attempts: 1 });
    });

    it('a renewal during a long delivery keeps the rows still queued behind it', async () => {
      const { r, second, claimedAt } = await slowFirstDelivery(LEASE_MS + 1_000, true);
      expect(deliveriesByFlow(r)).toEqual({ 'slow-first': 1, 'near-expiry': 1 });
      expect(await row(second.id)).toMatchObject({ status: 'delivered', attempts: 1, finishedAt: claimedAt + LEASE_MS + 1_000 });
    });

    it('stop() hands back the claimed rows not started at once, and finishes the one in flight', async () => {
      let answer: (() => void) | undefined;
      const r = await receiver((_request, res) => {
        if (answer === undefined) answer = () => res.writeHead(204).end();
        else res.writeHead(204).end();
      });
      const records: Awaited<ReturnType<typeof enqueuePing>>[] = [];
      for (let i = 0; i < 3; i++) {
        records.push(await enqueuePing(r.url(), `stopping-${i}`));
        clock.advance(1);
      }
      const d = dispatcher(db.store, { batchSize: 3, concurrency: 1, heartbeatMs: 60_000 });
      const run = d.runOnce();
      await expect.poll(() => answer !== undefined, { timeout: 5_000, interval: 5 }).toBe(true);
      const stopped = d.stop();
      // Handed back while the first delivery is still held by the receiver.
      await expect.poll(async () => (await row(records[2]!.id)).claimedUntil, { timeout: 5_000, interval: 10 }).toBeNull();
      expect(await row(records[1]!.id)).toMatchObject({ status: 'pending', attempts: 0, claimedUntil: null });
      expect((await row(records[0]!.id)).claimedUntil).not.toBeNull();
      answer!();
      await stopped;
      expect(await run).toBe(3);
      expect(await row(records[0]!.id)).toMatchObject({ status: 'delivered', attempts: 1 });
      expect(deliveriesByFlow(r)).toEqual({ 'stopping-0': 1 });
      // Another node takes the rest at once, with no lease to wait out.
      expect(await dispatcher(await db.openAnother()).runOnce()).toBe(2);
      expect(deliveriesByFlow(r)).toEqual({ 'stopping-0': 1, 'stopping-1': 1, 'stopping-2': 1 });
    });

    it('the heartbeat (a real timer) keeps renewing the lease of a delivery that outlasts it until the outcome is recorded', async () => {
      let answer: (() => void) | undefined;
      const r = await receiver((_request, res) => {
        answer = () => res.writeHead(204).end();
      });
      const record = await enqueuePing(r.url(), 'heartbeat');
      const claimedAt = clock.now();
      const d = dispatcher(db.store, { leaseMs: 300, heartbeatMs: 50 });
      const run = d.runOnce();
      await expect.poll(() => answer !== undefined, { timeout: 5_000, interval: 5 }).toBe(true);
      expect((await row(record.id)).claimedUntil).toBe(claimedAt + 300);
      // Time passes beyond the first lease; each beat moves the lease ahead of the clock.
      for (const step of [200, 400]) {
        clock.current = claimedAt + step;
        await expect.poll(async () => (await row(record.id)).claimedUntil, { timeout: 5_000, interval: 10 }).toBe(claimedAt + step + 300);
      }
      answer!();
      expect(await run).toBe(1);
      expect(await row(record.id)).toMatchObject({ status: 'delivered', claimedUntil: null });
    });

    it('a renewal moves only the leases this node still holds', async () => {
      const r = await receiver();
      const record = await enqueuePing(r.url(), 'renew-own');
      const now = clock.now();
      expect(await db.store.claimDueOutbox(now, now + 1_000, 1)).toHaveLength(1);
      expect(await db.store.renewOutboxLeases([record.id], now + 999, now + 5_000)).toEqual([]);
      expect((await row(record.id)).claimedUntil).toBe(now + 1_000);
      expect(await db.store.renewOutboxLeases([record.id], now + 1_000, now + 5_000)).toEqual([record.id]);
      expect((await row(record.id)).claimedUntil).toBe(now + 5_000);
      await db.store.releaseOutboxLeases([record.id], now + 1_000);
      expect((await row(record.id)).claimedUntil).toBe(now + 5_000);
      await db.store.releaseOutboxLeases([record.id], now + 5_000);
      expect((await row(record.id)).claimedUntil).toBeNull();
      expect(await db.store.renewOutboxLeases([], 0, 1)).toEqual([]);
    });
  });
});
