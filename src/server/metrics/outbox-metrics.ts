import { Counter, Histogram, type Registry } from 'prom-client';
import type { Clock } from '../../lib/clock.js';
import type { DeliveryObserver } from '../../op/notifications/delivery-observer.js';
import type { OutboxBacklog } from '../../store/ports.js';
import { gaugesFromQuery, LATENCY_BUCKETS, METRIC_PREFIX } from './registry.js';

/** The dispatcher's observer: attempts by kind and outcome, and how long each took. */
export function deliveryMetrics(registry: Registry): DeliveryObserver {
  const attempts = new Counter({
    name: `${METRIC_PREFIX}notification_attempts_total`,
    help: 'Notification delivery attempts (ping, push, webhook) by outcome: delivered, retry (will be tried again) or failed (given up).',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: `${METRIC_PREFIX}notification_delivery_duration_seconds`,
    help: 'Time one delivery attempt took, connection and answer included, by kind.',
    labelNames: ['kind'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return {
    attempt(kind, outcome, durationMs) {
      attempts.inc({ kind, outcome });
      duration.observe({ kind }, durationMs / 1000);
    },
  };
}

/**
 * The queue as the database has it, computed at scrape time with one aggregate over the
 * due-time index (so it counts every node's rows, not only this node's).
 */
export function registerBacklogMetrics(registry: Registry, backlog: (now: number) => Promise<OutboxBacklog>, clock: Clock): void {
  gaugesFromQuery(registry, () => backlog(clock.now()), [
    { name: 'notification_queue_due', help: 'Pending notifications that are due now (leased or not).', value: (b) => b.due },
    {
      name: 'notification_oldest_due_age_seconds',
      help: 'How long the oldest due notification has been waiting (0 when none is due).',
      value: (b) => (b.oldestDueAt === null ? 0 : Math.max(0, (clock.now() - b.oldestDueAt) / 1000)),
    },
  ]);
}
