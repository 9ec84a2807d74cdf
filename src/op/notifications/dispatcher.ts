import type { OutboxRecord } from '../../store/ports.js';
import { notificationAttemptEvent } from './attempt-event.js';
import { backoffDelay } from './backoff.js';
import { DEFAULT_DELIVERY_TIMEOUT_MS, deliverOnce, type DeliveryResult } from './deliver.js';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from './webhook-signature.js';
import { LeaseKeeper, type HeldBatch } from './lease-keeper.js';
import { pushServiceOutcome, retryAfterMs } from './retry-later.js';

export type { DispatcherDeps, DispatcherLog, WebPushSender } from './dispatcher-deps.js';
import type { DispatcherDeps, DispatcherLog } from './dispatcher-deps.js';

export const DEFAULT_BATCH_SIZE = 32;
export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_INTERVAL_MS = 250;
/** Short enough that a dead node's rows are sent by another within 5 s (3 s + one claim interval + sending). */
export const DEFAULT_LEASE_MS = 3_000;
/** A lease shorter than this would need renewals faster than a busy database answers them. */
export const MIN_LEASE_MS = 300;

const silentLog: DispatcherLog = { warn() {}, info() {} };

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Why a row cannot be sent, as opposed to a delivery that failed. */
class Unsendable extends Error {}

interface Prepared {
  url: string;
  authorization?: string;
  body: string | Buffer;
  headers?: Record<string, string>;
  contentType?: string;
}

/**
 * Sends due outbox rows (CIBA ping and push notifications, device webhooks) and records each
 * outcome. Several nodes may run one each on the same database: a claimed row is leased to
 * one claimer, so each is sent once unless a node dies mid-delivery (then, once its short lease
 * runs out unrenewed, again: delivery is at least once). Stopping gives up the rows not started.
 */
export class NotificationDispatcher {
  private readonly deps: DispatcherDeps;
  private readonly log: DispatcherLog;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly leaseMs: number;
  private readonly leases: LeaseKeeper;
  private readonly inFlight = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = true;
  /** Set by stop(): workers start no further row (runOnce without start() is not halted). */
  private halted = false;

  constructor(deps: DispatcherDeps) {
    this.deps = deps;
    this.log = deps.log ?? silentLog;
    this.batchSize = Math.max(1, deps.batchSize ?? DEFAULT_BATCH_SIZE);
    this.concurrency = Math.max(1, deps.concurrency ?? DEFAULT_CONCURRENCY);
    this.timeoutMs = deps.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
    this.leaseMs = Math.max(deps.leaseMs ?? DEFAULT_LEASE_MS, MIN_LEASE_MS);
    const heartbeatMs = Math.max(1, Math.min(deps.heartbeatMs ?? Math.floor(this.leaseMs / 3), Math.floor(this.leaseMs / 2)));
    this.leases = new LeaseKeeper(deps.store, deps.clock, this.leaseMs, heartbeatMs, (error) =>
      this.log.warn({ err: messageOf(error) }, 'could not renew notification leases'),
    );
  }

  /** Whether the loop runs (started and not stopped): part of the node's readiness. */
  get isRunning(): boolean {
    return !this.stopped;
  }

  /** Renews the held leases now (the heartbeat does it on its own; tests call it to move in step). */
  renewLeases(): Promise<void> {
    return this.leases.renew();
  }

  /**
   * Claims the due rows, sends them (at most `concurrency` at a time) and records the
   * outcomes. Returns how many rows it claimed, skipped ones included (a full batch means more
   * may be due). Never rejects: a problem is logged and the row is left to its lease.
   */
  runOnce(): Promise<number> {
    const run = this.claimAndDeliver();
    this.inFlight.add(run);
    return run.finally(() => this.inFlight.delete(run));
  }

  /** Runs again `intervalMs` after each run ends (at once while a run fills its batch); never overlaps. */
  start(intervalMs = DEFAULT_INTERVAL_MS): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.halted = false;
    const schedule = (delay: number) => {
      if (this.stopped) return;
      this.timer = setTimeout(tick, delay);
      this.timer.unref();
    };
    const tick = () => {
      this.timer = undefined;
      if (this.stopped || this.running) return;
      this.running = true;
      this.runOnce()
        .catch(() => 0)
        .then((count) => {
          this.running = false;
          schedule(count >= this.batchSize ? 0 : intervalMs);
        });
    };
    schedule(0);
  }

  /**
   * Stops the loop, hands back the claimed rows not yet started (so another node sends them at
   * once) and waits for the deliveries in flight to be recorded.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.halted = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    try {
      await this.leases.releaseUnstarted();
    } catch (error) {
      this.log.warn({ err: messageOf(error) }, 'could not release notification leases');
    }
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async claimAndDeliver(): Promise<number> {
    let rows: OutboxRecord[];
    const now = this.deps.clock.now();
    try {
      rows = await this.deps.store.claimDueOutbox(now, now + this.leaseMs, this.batchSize);
    } catch (error) {
      this.log.warn({ err: messageOf(error) }, 'could not claim due notifications');
      return 0;
    }
    if (rows.length === 0) return 0;
    const batch = this.leases.hold(rows.map((r) => r.id), now + this.leaseMs);
    let next = 0;
    const worker = async () => {
      while (next < rows.length && !this.halted) {
        const row = rows[next++]!;
        // A row whose lease ran out unrenewed (or that another node took) may be another
        // node's by now: it is left to that node or to the next claim.
        if (!this.leases.holds(batch, row.id)) continue;
        this.leases.start(batch, row.id);
        try {
          await this.handle(row);
        } catch (error) {
          // Recording the outcome failed; the lease runs out and the row is taken again.
          this.log.warn({ outboxId: row.id, ...row.summary, err: messageOf(error) }, 'could not record a notification outcome');
        }
        this.leases.finished(batch, row.id);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, rows.length) }, worker));
    await this.giveUp(batch);
    return rows.length;
  }

  /** Rows left unsent (the node is stopping, or their lease lapsed) are handed back at once. */
  private async giveUp(batch: HeldBatch): Promise<void> {
    if (batch.ids.size === 0) return this.leases.done(batch);
    try {
      await this.leases.release(batch);
    } catch (error) {
      this.log.warn({ err: messageOf(error) }, 'could not release notification leases');
    }
  }

  private async handle(row: OutboxRecord): Promise<void> {
    const { store, clock } = this.deps;
    const context = { outboxId: row.id, serviceId: row.serviceId, ...row.summary };

    if (row.expiresAt <= clock.now()) {
      const error =
        row.attempts === 0
          ? 'expired before it could be sent'
          : `expired after ${row.attempts} attempts${row.lastError ? `: ${row.lastError}` : ''}`;
      await store.finishOutbox(row.id, 'failed', row.attempts, clock.now(), error);
      this.log.warn({ ...context, attempts: row.attempts, error }, 'notification failed');
      return;
    }

    let prepared: Prepared;
    try {
      prepared = await this.prepare(row);
    } catch (error) {
      if (!(error instanceof Unsendable)) throw error;
      await store.finishOutbox(row.id, 'failed', row.attempts, clock.now(), error.message);
      this.log.warn({ ...context, attempts: row.attempts, error: error.message }, 'notification failed');
      return;
    }

    const attempts = row.attempts + 1;
    const startedAt = performance.now();
    const delivered: DeliveryResult = await deliverOnce(prepared, {
      mode: this.deps.mode,
      timeoutMs: this.timeoutMs,
      allowPrivateAddresses: this.deps.allowPrivateAddresses ?? false,
      ...(this.deps.resolveHost ? { resolveHost: this.deps.resolveHost } : {}),
      ...(this.deps.ca ? { ca: this.deps.ca } : {}),
    });
    const result = row.kind === 'webpush' ? pushServiceOutcome(delivered) : delivered;
    const durationMs = performance.now() - startedAt;
    const observe = (outcome: 'delivered' | 'retry' | 'failed') => this.deps.observer?.attempt(row.kind, outcome, durationMs);
    const now = clock.now();
    const error = result.error ?? `HTTP ${result.status ?? '?'}`;
    const facts = { ...context, attempts, status: result.status };
    const audit = (outcome: 'delivered' | 'retry' | 'failed') => this.deps.audit?.record(notificationAttemptEvent(row, prepared.body, attempts, outcome, result.status));

    if (result.outcome === 'delivered') {
      await store.finishOutbox(row.id, 'delivered', attempts, now, null);
      observe('delivered');
      await audit('delivered');
      this.log.info(facts, 'notification delivered');
    } else if (result.outcome === 'final') {
      await store.finishOutbox(row.id, 'failed', attempts, now, error);
      observe('failed');
      await audit('failed');
      if (row.kind === 'webpush' && (result.status === 404 || result.status === 410)) await this.deps.webPush?.gone(row);
      this.log.warn({ ...facts, error }, 'notification failed');
    } else {
      // A peer that names its own delay (a push service's 429, a 503) is not tried before it (RFC 9110 §10.2.3).
      const nextAttemptAt = now + Math.max(backoffDelay(attempts, this.deps.random ? { random: this.deps.random } : {}), retryAfterMs(result.retryAfter, now) ?? 0);
      if (nextAttemptAt >= row.expiresAt) {
        const expired = `expired after ${attempts} attempts: ${error}`;
        await store.finishOutbox(row.id, 'failed', attempts, now, expired);
        observe('failed');
        await audit('failed');
        this.log.warn({ ...facts, error: expired }, 'notification failed');
      } else {
        await store.retryOutbox(row.id, attempts, nextAttemptAt, error);
        observe('retry');
        await audit('retry');
        this.log.info({ ...facts, error, nextAttemptAt }, 'notification will be retried');
      }
    }
  }

  private async prepare(row: OutboxRecord): Promise<Prepared> {
    const { keyring } = this.deps;
    let body: string;
    let authorization: string | undefined;
    try {
      body = keyring.open(row.bodySealed);
      authorization = row.authorizationSealed === null ? undefined : keyring.open(row.authorizationSealed);
    } catch {
      throw new Unsendable('could not open the sealed notification (was it sealed under another master key?)');
    }
    const prepared: Prepared = { url: row.endpoint, body, ...(authorization === undefined ? {} : { authorization }) };
    if (row.kind === 'webpush') {
      if (!this.deps.webPush) throw new Unsendable('this node cannot send Web Push messages');
      return { url: row.endpoint, ...(await this.deps.webPush.prepare(row, body)) };
    }
    if (row.kind !== 'webhook') return prepared;

    // A failing secret lookup (the database, briefly) throws past here: the lease covers a retry.
    const secret = this.deps.webhookSecret ? await this.deps.webhookSecret(row.serviceId) : undefined;
    if (!secret) throw new Unsendable(`no webhook secret is configured for service ${row.serviceId}`);
    const seconds = Math.floor(this.deps.clock.now() / 1000);
    return { ...prepared, headers: { [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, seconds, body) } };
  }
}
