import type { Registry } from 'prom-client';
import type { Clock } from '../../lib/clock.js';
import type { AuditChainLag } from '../../store/ports.js';
import { gaugesFromQuery } from './registry.js';

/** Seconds since the oldest unlinked event, 0 when the chain is up to date. */
export function oldestUnlinkedAgeSeconds(lag: AuditChainLag, now: number): number {
  return lag.oldestUnlinkedAt === null ? 0 : Math.max(0, (now - lag.oldestUnlinkedAt) / 1000);
}

/**
 * The audit chainer's lag, as the database has it at scrape time (every node's events): events
 * stored but not yet linked into their service's hash chain, and how old the oldest is. Events
 * are linked as they are stored (audit-append.ts), so these are rows an earlier version stored
 * unlinked, 0 once linked. The chainer runs every second, so a steady age of more than a few seconds means no node chains
 * (or one is stuck) — evidence asked for meanwhile is linked first, but the tail is unproven.
 */
export function registerAuditChainMetrics(registry: Registry, lag: () => Promise<AuditChainLag>, clock: Clock): void {
  gaugesFromQuery(registry, lag, [
    { name: 'audit_unlinked_events', help: "Audit events stored but not yet linked into their service's hash chain.", value: (l) => l.unlinked },
    { name: 'audit_oldest_unlinked_age_seconds', help: 'How long the oldest unlinked audit event has waited for the chainer (0 when none waits).', value: (l) => oldestUnlinkedAgeSeconds(l, clock.now()) },
  ]);
}
