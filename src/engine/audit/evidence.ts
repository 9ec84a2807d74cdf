import type { EngineContext } from '../context.js';
import { auditEventJson, type AuditEventJson } from './event-json.js';
import { eventHashHolds } from './verify-chain.js';

export interface TransactionEvidence {
  authReqId: string;
  serviceId: number;
  events: AuditEventJson[];
  chain: { verified: boolean; fromSeq?: number; toSeq?: number; headHash?: string };
}

/** Events linked per pass before the evidence is read; a service's backlog is seconds of events. */
const CHAIN_BATCH = 1000;
const CHAIN_PASSES = 5;

/**
 * Every event of one CIBA transaction, oldest first, with the proof that they sit unaltered in
 * the service's chain: the chain is first brought up to date (so the story just told is linked),
 * then the segment from the transaction's first event to its last is checked link by link — each
 * event hashes to its hash and carries its predecessor's — and the service's head hash is given,
 * so that the proof can be compared with a head exported earlier. The whole chain's check is
 * `openciba audit verify`. Undefined when the service has no event of this auth_req_id.
 */
export async function transactionEvidence(ctx: EngineContext, serviceId: number, authReqId: string): Promise<TransactionEvidence | undefined> {
  for (let pass = 0; pass < CHAIN_PASSES; pass++) {
    if ((await ctx.store.chainAuditEvents(serviceId, CHAIN_BATCH)) < CHAIN_BATCH) break;
  }
  const events = await ctx.store.transactionAuditEvents(serviceId, ctx.keyring.digest(authReqId));
  if (events.length === 0) return undefined;
  const head = await ctx.store.auditChainHead(serviceId);
  const seqs = events.map((e) => e.seq);
  const chain: TransactionEvidence['chain'] = { verified: false, ...(head ? { headHash: head.hash } : {}) };
  if (seqs.every((s): s is number => s !== null)) {
    const fromSeq = Math.min(...seqs);
    const toSeq = Math.max(...seqs);
    const segment = await ctx.store.chainedAuditEvents(serviceId, fromSeq, toSeq - fromSeq + 1);
    const linked = segment.every((event, i) => event.seq === fromSeq + i && eventHashHolds(event) && (i === 0 || event.prevHash === segment[i - 1]!.hash));
    const mine = new Set(events.map((e) => e.id));
    const covered = segment.filter((e) => mine.has(e.id)).length === events.length;
    Object.assign(chain, { verified: linked && covered && segment.length === toSeq - fromSeq + 1, fromSeq, toSeq });
  }
  return { authReqId, serviceId, events: events.map((e) => auditEventJson(e, ctx.keyring)), chain };
}
