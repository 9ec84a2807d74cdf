import { auditEventHash, GENESIS_HASH } from '../../lib/audit-hash.js';
import type { AuditEventStore, StoredAuditEvent } from '../../store/ports.js';

export interface ChainVerification {
  ok: boolean;
  /** Linked events checked. */
  checked: number;
  fromSeq?: number;
  toSeq?: number;
  headHash?: string;
  /** Events not linked yet (the chainer's tail), which the check does not cover. */
  unchained: number;
  /** The first seq that does not verify (edited, missing, or out of its place). */
  firstBadSeq?: number;
  reason?: string;
}

const PAGE = 1000;

/** Whether a linked event's stored hash is the hash of what is stored now. */
export function eventHashHolds(event: StoredAuditEvent): boolean {
  if (event.seq === null || event.prevHash === null || event.hash === null) return false;
  return auditEventHash({ ...event, seq: event.seq, prevHash: event.prevHash }) === event.hash;
}

/**
 * Walks a service's chain from its first kept event to its head. The first kept event follows
 * either nothing (seq 1, the genesis hash) or what a retention purge removed, which a checkpoint
 * event in the chain vouches for (`purgedThroughSeq` and the last purged hash). Then every event
 * must hash to its stored hash, carry its predecessor's hash, and follow it by one; and the last
 * must be the head, so that a deleted tail is seen too.
 */
export async function verifyAuditChain(store: Pick<AuditEventStore, 'chainedAuditEvents' | 'auditChainHead' | 'countUnchainedAuditEvents'>, serviceId: number): Promise<ChainVerification> {
  const head = await store.auditChainHead(serviceId);
  const unchained = await store.countUnchainedAuditEvents(serviceId);
  const bad = (checked: number, firstBadSeq: number, reason: string): ChainVerification => ({ ok: false, checked, unchained, firstBadSeq, reason, ...(head ? { headHash: head.hash } : {}) });
  let previous: { seq: number; hash: string } | undefined;
  let startSeq: number | undefined;
  let startPrev: string | null = null;
  const checkpoints = new Map<number, string>();
  let checked = 0;
  for (let from = 1; ; ) {
    const page = await store.chainedAuditEvents(serviceId, from, PAGE);
    for (const event of page) {
      const seq = event.seq!;
      if (!previous) {
        startSeq = seq;
        startPrev = event.prevHash;
        if (seq === 1 && event.prevHash !== GENESIS_HASH) return bad(checked, seq, 'the first event does not start the chain');
      } else {
        if (seq !== previous.seq + 1) return bad(checked, previous.seq + 1, `event ${previous.seq + 1} is missing`);
        if (event.prevHash !== previous.hash) return bad(checked, seq, `event ${seq} does not follow event ${previous.seq}`);
      }
      if (!eventHashHolds(event)) return bad(checked, seq, `event ${seq} was changed after it was recorded`);
      if (event.type === 'audit.checkpoint') {
        const data = JSON.parse(event.data) as { purgedThroughSeq?: unknown; hash?: unknown };
        if (typeof data.purgedThroughSeq === 'number' && typeof data.hash === 'string') checkpoints.set(data.purgedThroughSeq, data.hash);
      }
      previous = { seq, hash: event.hash! };
      checked++;
    }
    if (page.length < PAGE) break;
    from = previous!.seq + 1;
  }
  if (!previous || startSeq === undefined) {
    return head && head.seq > 0 ? bad(0, 1, 'the chain has a head but no events') : { ok: true, checked: 0, unchained };
  }
  if (startSeq !== 1 && checkpoints.get(startSeq - 1) !== startPrev) {
    return bad(checked, startSeq - 1, `events up to ${startSeq - 1} are missing and no checkpoint vouches for their purge`);
  }
  if (!head || head.seq !== previous.seq || head.hash !== previous.hash) {
    return bad(checked, previous.seq + 1, `the chain ends at ${previous.seq} but its head is at ${head?.seq ?? 0}`);
  }
  return { ok: true, checked, fromSeq: startSeq, toSeq: previous.seq, headHash: head.hash, unchained };
}
