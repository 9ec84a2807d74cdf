import type { Clock } from '../../lib/clock.js';
import type { Random } from '../../lib/random.js';
import type { AuditEventStore } from '../../store/ports.js';
import { HOUSEKEEPING_INTERVAL_MS, repeatEvery } from '../housekeeping.js';
import type { AuditLog } from './audit-sink.js';
import { auditEventId } from './audit-sink.js';

/** How often the chainer links what an earlier version stored unlinked (events are linked as they are stored, audit-append.ts). */
export const AUDIT_CHAIN_INTERVAL_MS = 1_000;
const CHAIN_BATCH = 1000;
const MAX_PASSES = 20;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Links the waiting events of every service, in bounded batches. Safe on every node at once (audit-chain.ts). */
export async function runAuditChainer(store: AuditEventStore): Promise<number> {
  let total = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const services = await store.servicesWithUnchainedAuditEvents(100);
    if (services.length === 0) break;
    let linked = 0;
    for (const serviceId of services) linked += await store.chainAuditEvents(serviceId, CHAIN_BATCH);
    total += linked;
    // Nothing linked while events wait: another node holds the chains now; it will finish them.
    if (linked === 0) break;
  }
  return total;
}

/**
 * Purges each service's events older than the retention, behind an `audit.checkpoint` (written
 * in the purge's transaction), after linking what waits so that nothing old stays unlinked.
 */
export async function runAuditRetention(store: AuditEventStore, clock: Clock, random: Random, retentionDays: number, log?: AuditLog): Promise<number> {
  await runAuditChainer(store);
  const now = clock.now();
  let total = 0;
  for (const serviceId of await store.auditedServices()) {
    const purged = await store.purgeAuditEvents(serviceId, now - retentionDays * DAY_MS, { id: auditEventId(now, random), at: now });
    if (purged > 0) log?.info({ event: 'audit', serviceId, type: 'audit.checkpoint', purged }, 'audit events purged behind a checkpoint');
    total += purged;
  }
  return total;
}

/** The chainer every second and the retention purge with housekeeping, until the returned stop is called. */
export function startAuditHousekeeping(store: AuditEventStore, clock: Clock, random: Random, retentionDays: number, log: AuditLog, housekeepingIntervalMs = HOUSEKEEPING_INTERVAL_MS): () => Promise<void> {
  const onError = (error: unknown) => log.warn({ err: error }, 'audit housekeeping failed');
  const stopChainer = repeatEvery(AUDIT_CHAIN_INTERVAL_MS, async () => void (await runAuditChainer(store)), onError);
  const stopRetention = repeatEvery(housekeepingIntervalMs, async () => void (await runAuditRetention(store, clock, random, retentionDays, log)), onError);
  return async () => {
    await stopChainer();
    await stopRetention();
  };
}
