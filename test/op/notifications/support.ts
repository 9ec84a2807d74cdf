import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyring, type Keyring } from '../../../src/lib/keyring.js';
import { openStore } from '../../../src/store/open-store.js';
import { NotificationDispatcher, type DispatcherDeps } from '../../../src/op/notifications/dispatcher.js';
import { pingBody, pingOrPushRecord } from '../../../src/op/notifications/outbox-records.js';
import type { OutboxRecord, Store } from '../../../src/store/ports.js';
import { ManualClock } from '../../support/clock.js';
import { startReceiver, type Handler, type Receiver } from '../../support/receiver.js';
import { freshPostgresUrl, type Dialect } from '../../support/test-server.js';

export const SERVICE_ID = 4_100_000_001;

export interface TestStore {
  store: Store;
  dataDir: string;
  /** The PostgreSQL database's URL (undefined on SQLite). */
  databaseUrl: string | undefined;
  /** Opens a second handle on the same database (another node, as far as the store knows). */
  openAnother(): Promise<Store>;
  close(): Promise<void>;
}

/**
 * A real store with the service that outbox rows refer to: SQLite in a fresh directory, or a
 * fresh database on the run's PostgreSQL server.
 */
export async function openTestStore(dialect: Dialect = 'sqlite'): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'openciba-notify-'));
  const databaseUrl = dialect === 'postgres' ? await freshPostgresUrl() : undefined;
  const { store } = await openStore({ dataDir, databaseUrl });
  await store.createService({ apiKey: SERVICE_ID, number: 1, data: {}, jwksSealed: null, createdAt: 1, modifiedAt: 1 });
  const others: Store[] = [];
  let closed = false;
  return {
    store,
    dataDir,
    databaseUrl,
    async openAnother() {
      const other = (await openStore({ dataDir, databaseUrl, migrate: false })).store;
      others.push(other);
      return other;
    },
    async close() {
      if (closed) return;
      closed = true;
      // A test may have closed a handle itself; closing it again must not hide the test's result.
      for (const handle of [...others, store]) await handle.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function testKeyring(): Keyring {
  return createKeyring(Buffer.alloc(32, 1));
}

/** Jitter that takes nothing off: backoff is then exactly 1 s, 2 s, 4 s, … */
export const noJitter = () => 0;

/**
 * What the dispatcher and takeover tests share: a real store, a manual clock, loopback receivers
 * and dispatchers, all closed by `close()` after each test; ping rows enqueued with fresh ids.
 */
export class OutboxHarness {
  private readonly receivers: Receiver[] = [];
  private readonly dispatchers: NotificationDispatcher[] = [];
  private seq = 0;

  private constructor(
    readonly db: TestStore,
    readonly clock: ManualClock,
    readonly keyring: Keyring,
    private readonly defaults: Partial<DispatcherDeps>,
  ) {}

  /** `defaults` are the dispatcher settings of every `dispatcher()` of the test. */
  static async open(dialect: Dialect, defaults: Partial<DispatcherDeps> = {}): Promise<OutboxHarness> {
    return new OutboxHarness(await openTestStore(dialect), new ManualClock(), testKeyring(), defaults);
  }

  async receiver(handler?: Handler): Promise<Receiver> {
    const r = await startReceiver(handler);
    this.receivers.push(r);
    return r;
  }

  /** A dispatcher on the harness's store (or another handle), clock and keyring. */
  dispatcher(overrides: Partial<DispatcherDeps> = {}): NotificationDispatcher {
    const d = new NotificationDispatcher({ store: this.db.store, keyring: this.keyring, clock: this.clock, mode: 'development', random: noJitter, ...this.defaults, ...overrides });
    this.dispatchers.push(d);
    return d;
  }

  /** A ping row due now, with id `<idPrefix>-<n>`; a fresh auth_req_id and ten minutes to live unless told. */
  async enqueuePing(endpoint: string, ping: { idPrefix: string; token: string; authReqId?: string; expiresIn?: number }): Promise<OutboxRecord> {
    this.seq += 1;
    const now = this.clock.now();
    const authReqId = ping.authReqId ?? `arid-${this.seq}-0a1b2c3d4e5f`;
    const expiresAt = now + (ping.expiresIn ?? 10 * 60_000);
    const record = pingOrPushRecord(
      { id: `${ping.idPrefix}-${this.seq}`, serviceId: SERVICE_ID, kind: 'ping', endpoint, clientNotificationToken: ping.token, body: pingBody(authReqId), now, expiresAt },
      this.keyring,
    );
    await this.db.store.enqueueOutbox(record);
    return record;
  }

  /** The row as the operators' list shows it now. */
  async row(id: string): Promise<OutboxRecord> {
    const { items } = await this.db.store.listOutbox(SERVICE_ID, 0, 1_000);
    const found = items.find((item) => item.id === id);
    if (!found) throw new Error(`no outbox row ${id}`);
    return found;
  }

  async close(): Promise<void> {
    await Promise.all(this.dispatchers.map((d) => d.stop()));
    await Promise.all(this.receivers.map((r) => r.close()));
    await this.db.close();
  }
}
