/**
 * What the layers above ask of storage, in terms of intent. Each adapter makes every
 * operation atomic in its own way; callers never compose transactions from CRUD.
 *
 * The ports are sized to their users: the engine gets `EngineStore`, the front `FrontStore`,
 * the notification dispatcher only `OutboxQueue`; `Store` is all of it, for wiring and
 * housekeeping. This file is the one import point; the records live with their aggregate.
 */
import type { ApiTokenStore } from './ports/api-token-store.js';
import type { AttemptLimitStore } from './ports/attempt-limit-store.js';
import type { AuthenticatorStore } from './ports/authenticator-store.js';
import type { AuditEventStore } from './ports/audit-event-store.js';
import type { BackchannelRequestStore } from './ports/backchannel-request-store.js';
import type { ClientStore } from './ports/client-store.js';
import type { FrontRequestStore } from './ports/front-request-store.js';
import type { FrontSettingsStore } from './ports/front-settings-store.js';
import type { HousekeepingStore } from './ports/housekeeping-store.js';
import type { JtiStore } from './ports/jti-store.js';
import type { MetaStore } from './ports/meta-store.js';
import type { OutboxStore } from './ports/outbox-store.js';
import type { ServiceStore } from './ports/service-store.js';
import type { TokenStore } from './ports/token-store.js';
import type { UserStore } from './ports/user-store.js';

export type { ApiTokenRecord, ApiTokenStore } from './ports/api-token-store.js';
export type { AttemptClaim, AttemptLimitStore } from './ports/attempt-limit-store.js';
export type {
  AuthenticatorChallengeRecord,
  AuthenticatorDeviceRecord,
  AuthenticatorEvidenceRecord,
  AuthenticatorStore,
  EnrolmentRecord,
  PushSubscriptionRecord,
  VapidKeysRecord,
} from './ports/authenticator-store.js';
export type { AuditChainHead, AuditChainLag, AuditEventFilter, AuditEventInput, AuditEventRecord, AuditEventStore, AuditListener, AuditSink, StoredAuditEvent } from './ports/audit-event-store.js';
export type { BackchannelRequestRecord, BackchannelRequestStore, BackchannelStatus } from './ports/backchannel-request-store.js';
export type { ClientChange, ClientRecord, ClientStore } from './ports/client-store.js';
export type { FrontRequestFilter, FrontRequestRecord, FrontRequestState, FrontRequestStatus, FrontRequestStore } from './ports/front-request-store.js';
export type { FrontSettingsRecord, FrontSettingsStore } from './ports/front-settings-store.js';
export type { HousekeepingStore, PurgeCounts, Retention } from './ports/housekeeping-store.js';
export type { JtiStore } from './ports/jti-store.js';
export type { MetaStore } from './ports/meta-store.js';
export type { OutboxBacklog, OutboxKind, OutboxQueue, OutboxRecord, OutboxStore } from './ports/outbox-store.js';
export type { Page } from './ports/page.js';
export type { ServiceRecord, ServiceStore } from './ports/service-store.js';
export type { TokenRecord, TokenStore } from './ports/token-store.js';
export type { SubjectRevocation, UserRecord, UserStore } from './ports/user-store.js';

/**
 * What the engine persists: settings and counters, services, clients, API tokens, CIBA
 * transactions (whose completion also writes the notification's outbox row), tokens, JWT ids and
 * the audit trail.
 */
export interface EngineStore extends MetaStore, ServiceStore, ClientStore, ApiTokenStore, BackchannelRequestStore, TokenStore, JtiStore, AuditEventStore {}

/** What the front persists: its user directory, its settings, its device requests, the notification outbox, its attempt limits and the authenticator app's state. */
export interface FrontStore extends UserStore, FrontSettingsStore, FrontRequestStore, OutboxStore, AttemptLimitStore, AuthenticatorStore {}

/** The whole store, as opened by the runtime: both roles, housekeeping and closing. */
export interface Store extends EngineStore, FrontStore, HousekeepingStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** Reaches the database and names the migrations this build has that it lacks (for readiness). */
  pendingMigrations(): Promise<string[]>;
  /** PostgreSQL's pool at this moment; undefined on SQLite, which has one connection. */
  poolUse(): PoolUse | undefined;
  close(): Promise<void>;
}

export interface PoolUse {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}
