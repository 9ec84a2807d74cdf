import type { Clock } from '../../lib/clock.js';
import type { Mode } from '../../lib/mode.js';
import type { Keyring } from '../../lib/keyring.js';
import type { AuditSink, OutboxQueue, OutboxRecord } from '../../store/ports.js';
import type { ResolveHost } from './deliver.js';
import type { DeliveryObserver } from './delivery-observer.js';

/** What the notification dispatcher (dispatcher.ts) is given: its queue, keys, clock and the hooks around each delivery. */

/** The part of a pino logger the dispatcher uses. */
export interface DispatcherLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface DispatcherDeps {
  /** Only the queue: leasing due rows and recording each attempt. */
  store: OutboxQueue;
  keyring: Keyring;
  clock: Clock;
  mode: Mode;
  log?: DispatcherLog;
  /** Rows claimed per run. */
  batchSize?: number;
  /** Deliveries in flight at once within a run. */
  concurrency?: number;
  /**
   * How long a claimed row stays leased to this node without a renewal. The node renews the
   * leases of the rows it holds every `heartbeatMs` while it lives, so this is how long the rows
   * of a node that died wait before another node takes them.
   */
  leaseMs?: number;
  /** How often the leases held are renewed (default a third of the lease). */
  heartbeatMs?: number;
  /** Told of every delivery attempt's outcome and duration. */
  observer?: DeliveryObserver;
  /** Per-delivery budget, everything included. */
  timeoutMs?: number;
  /** Production only: let https endpoints resolve to private or loopback addresses. */
  allowPrivateAddresses?: boolean;
  /** The signing secret for a service's webhooks; without one a webhook row fails. */
  webhookSecret?: (serviceId: number) => Promise<string | undefined>;
  /** Randomness for backoff jitter, in [0, 1). */
  random?: () => number;
  /** Replaces the system resolver for deliveries. */
  resolveHost?: ResolveHost;
  /** Extra trust anchors (PEM) for https endpoints. */
  ca?: string | string[];
  /** Web Push rows (authenticator devices): encryption and VAPID at send time, and expired subscriptions. */
  webPush?: WebPushSender;
  /** Where each attempt is recorded as a `notification.attempt` audit event. */
  audit?: AuditSink;
}

/** What the dispatcher needs for `webpush` rows; op/authenticator provides it. */
export interface WebPushSender {
  /** The encrypted body and the RFC 8030/8291/8292 headers for the row's opened body. */
  prepare(row: OutboxRecord, openedBody: string): Promise<{ body: Buffer; headers: Record<string, string>; contentType: string }>;
  /** RFC 8030 §7.3: the push service answered 404 or 410, the subscription is gone. */
  gone(row: OutboxRecord): Promise<void>;
}
