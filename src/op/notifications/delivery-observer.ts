import type { OutboxKind } from '../../store/ports.js';

/** What a delivery attempt came to, for the metrics (no endpoint, no client: bounded labels). */
export interface DeliveryObserver {
  attempt(kind: OutboxKind, outcome: 'delivered' | 'retry' | 'failed', durationMs: number): void;
}
