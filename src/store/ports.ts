/**
 * What the layers above ask of storage, in terms of intent. Each adapter makes every
 * operation atomic in its own way; callers never compose transactions from CRUD.
 */

export interface ServiceRecord {
  apiKey: number;
  number: number;
  /** The stored Service JSON (no ids, timestamps or keys). */
  data: Record<string, unknown>;
  jwksSealed: string | null;
  createdAt: number;
  modifiedAt: number;
}

export interface ClientRecord {
  clientId: number;
  serviceId: number;
  number: number;
  developer: string | null;
  data: Record<string, unknown>;
  secretSealed: string;
  /** A custom alias the client may present as `client_id` (null: only its numeric id). */
  clientIdAlias: string | null;
  createdAt: number;
  modifiedAt: number;
}

export interface Page<T> {
  totalCount: number;
  items: T[];
}

export interface ApiTokenRecord {
  serviceId: number | null;
}

export interface UserRecord {
  serviceId: number;
  subject: string;
  email: string | null;
  phoneNumber: string | null;
  status: 'active' | 'locked';
  /** Other claims (name, …) and `userCode` when the user has one: its salted hash (user-code-hash.ts), never the code. */
  data: Record<string, unknown>;
  createdAt: number;
  modifiedAt: number;
}

export type BackchannelStatus = 'identified' | 'issued' | 'authorized' | 'denied' | 'failed' | 'consumed';

/** One CIBA transaction, from /backchannel/authentication to the token response. */
export interface BackchannelRequestRecord {
  id: string;
  ticketDigest: string;
  authReqIdDigest: string | null;
  authReqIdSealed: string | null;
  serviceId: number;
  clientId: number;
  status: BackchannelStatus;
  deliveryMode: 'POLL' | 'PING' | 'PUSH';
  request: Record<string, unknown>;
  result: Record<string, unknown> | null;
  /** Seconds between polls; raised by slow_down. */
  interval: number;
  /** The last token request that counted as a poll; once consumed, when it was redeemed. */
  lastPolledAt: number | null;
  createdAt: number;
  /** Ticket expiry before /issue, auth_req_id expiry after. */
  expiresAt: number;
}

export interface TokenRecord {
  id: string;
  accessTokenDigest: string;
  refreshTokenDigest: string | null;
  serviceId: number;
  clientId: number;
  subject: string | null;
  grantId: string | null;
  grantType: string;
  data: Record<string, unknown>;
  accessExpiresAt: number;
  refreshExpiresAt: number | null;
  createdAt: number;
}

export interface FrontSettingsRecord {
  serviceId: number;
  data: Record<string, unknown>;
  webhookSecretSealed: string | null;
  modifiedAt: number;
}

export type FrontRequestStatus = 'pending' | 'allowed' | 'denied' | 'failed';

/** A request waiting on a user's authentication device (simulator, webhook or embedded). */
export interface FrontRequestRecord {
  authReqIdDigest: string;
  serviceId: number;
  subject: string;
  clientId: number;
  ticketSealed: string;
  authReqIdSealed: string;
  /** What the device shows: client name, binding message, scopes, acrs, delivery mode. */
  details: Record<string, unknown>;
  status: FrontRequestStatus;
  channel: 'simulator' | 'webhook' | 'embedded';
  createdAt: number;
  expiresAt: number;
}

export type OutboxKind = 'ping' | 'push' | 'webhook';

export interface OutboxRecord {
  id: string;
  serviceId: number;
  kind: OutboxKind;
  endpoint: string;
  /** Sealed `Authorization` header value, if any. */
  authorizationSealed: string | null;
  bodySealed: string;
  /** What operators may see: no tokens. */
  summary: Record<string, unknown>;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: number;
  claimedUntil: number | null;
  lastError: string | null;
  createdAt: number;
  expiresAt: number;
  finishedAt: number | null;
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';

  /** Reads a server-wide setting. */
  getMeta(name: string): Promise<string | undefined>;
  /** Stores a setting unless one exists; returns the value in force afterwards (first writer wins). */
  putMetaIfAbsent(name: string, value: string): Promise<string>;

  /** Atomically increments a named counter and returns the new value. */
  nextNumber(counter: string): Promise<number>;

  createService(record: ServiceRecord): Promise<void>;
  getService(apiKey: number): Promise<ServiceRecord | undefined>;
  listServices(start: number, end: number, onlyApiKey?: number): Promise<Page<ServiceRecord>>;
  /** Replaces the stored data; returns false when the service no longer exists. */
  updateService(apiKey: number, data: Record<string, unknown>, jwksSealed: string | null, modifiedAt: number): Promise<boolean>;
  /** Deletes the service and everything that belongs to it; false when it did not exist. */
  deleteService(apiKey: number): Promise<boolean>;

  /** 'alias-taken' when another client of the service has the record's alias. */
  createClient(record: ClientRecord): Promise<'created' | 'alias-taken'>;
  getClient(serviceId: number, clientId: number): Promise<ClientRecord | undefined>;
  /** The id of the service's client with this custom alias. */
  findClientIdByAlias(serviceId: number, alias: string): Promise<number | undefined>;
  listClients(serviceId: number, start: number, end: number, developer?: string): Promise<Page<ClientRecord>>;
  updateClient(
    serviceId: number,
    clientId: number,
    change: { data: Record<string, unknown>; developer: string | null; secretSealed: string; clientIdAlias: string | null; modifiedAt: number },
  ): Promise<'updated' | 'not-found' | 'alias-taken'>;
  deleteClient(serviceId: number, clientId: number): Promise<boolean>;

  addApiToken(digest: string, serviceId: number | null, description: string | null, createdAt: number): Promise<void>;
  findApiToken(digest: string): Promise<ApiTokenRecord | undefined>;
  hasOrganizationToken(): Promise<boolean>;
  /** Revokes a token by its digest; `serviceId` undefined matches any token. */
  deleteApiToken(digest: string, serviceId?: number): Promise<boolean>;

  /** Creates or replaces a user of the built-in directory. */
  putUser(record: UserRecord): Promise<void>;
  getUser(serviceId: number, subject: string): Promise<UserRecord | undefined>;
  /** Finds a user by subject, email or phone number (in that order of precedence). */
  findUserByHint(serviceId: number, hint: string): Promise<UserRecord | undefined>;
  listUsers(serviceId: number, start: number, end: number): Promise<Page<UserRecord>>;
  deleteUser(serviceId: number, subject: string): Promise<boolean>;

  createBackchannelRequest(record: BackchannelRequestRecord): Promise<void>;
  findBackchannelRequestByTicket(serviceId: number, ticketDigest: string): Promise<BackchannelRequestRecord | undefined>;
  findBackchannelRequestByAuthReqId(serviceId: number, authReqIdDigest: string): Promise<BackchannelRequestRecord | undefined>;
  /**
   * identified → issued, only while the request is unexpired; undefined otherwise. The request's
   * lifetime and interval were fixed when it was created.
   */
  issueAuthReqId(serviceId: number, ticketDigest: string, authReqId: { digest: string; sealed: string }, now: number): Promise<BackchannelRequestRecord | undefined>;
  /** /fail: deletes a request that has not been issued an auth_req_id yet. */
  deleteBackchannelRequest(serviceId: number, ticketDigest: string): Promise<boolean>;
  /**
   * issued → `status` with the result, only once and only before expiry. With `tokens` (push),
   * the tokens are stored in the same transaction and the request is consumed at once.
   */
  completeBackchannelRequest(
    serviceId: number,
    ticketDigest: string,
    status: 'authorized' | 'denied' | 'failed' | 'consumed',
    result: Record<string, unknown>,
    now: number,
    tokens?: TokenRecord,
    outbox?: OutboxRecord,
  ): Promise<BackchannelRequestRecord | undefined>;
  /**
   * Records a token-endpoint poll; when it comes sooner than the interval after the previous
   * one, the interval grows by `penalty` seconds (CIBA §11 slow_down). Returns the interval now in force.
   */
  recordPoll(id: string, now: number, penalty: number): Promise<number | undefined>;
  /**
   * authorized → consumed with the tokens stored and the redemption time kept (`lastPolledAt`),
   * atomically; false when someone else won or it expired.
   */
  consumeAuthorizedRequest(id: string, now: number, tokens: TokenRecord): Promise<boolean>;

  insertToken(record: TokenRecord): Promise<void>;
  findTokenByAccessDigest(serviceId: number, digest: string): Promise<TokenRecord | undefined>;
  findTokenByRefreshDigest(serviceId: number, digest: string): Promise<TokenRecord | undefined>;
  /** Replaces the token pair holding `refreshDigest` with `next`, atomically, if it is still unexpired. */
  rotateRefreshToken(serviceId: number, refreshDigest: string, now: number, next: TokenRecord): Promise<boolean>;
  deleteToken(id: string): Promise<boolean>;
  /** Revokes every token issued from one CIBA transaction, unconditionally (see revokeReplayedGrant for a replay). */
  deleteTokensOfGrant(grantId: string): Promise<number>;
  /**
   * Revokes every token issued from one CIBA transaction, only if it was redeemed at or before
   * `redeemedBefore` (an auth_req_id replayed after the grace window); atomic. The count revoked.
   */
  revokeReplayedGrant(grantId: string, redeemedBefore: number): Promise<number>;

  /** Records a JWT id for its lifetime; false when it is already recorded and unexpired (replay). */
  claimJti(scope: string, jti: string, expiresAt: number, now: number): Promise<boolean>;

  getFrontSettings(serviceId: number): Promise<FrontSettingsRecord | undefined>;
  putFrontSettings(record: FrontSettingsRecord): Promise<void>;

  createFrontRequest(record: FrontRequestRecord): Promise<void>;
  findFrontRequest(serviceId: number, authReqIdDigest: string): Promise<FrontRequestRecord | undefined>;
  listPendingFrontRequests(serviceId: number, subject: string | undefined, now: number, limit: number): Promise<FrontRequestRecord[]>;
  /** pending → `status`, once and only before expiry; undefined when someone decided first or it expired. */
  decideFrontRequest(serviceId: number, authReqIdDigest: string, status: 'allowed' | 'denied' | 'failed', now: number): Promise<FrontRequestRecord | undefined>;
  /** Undoes a decision (or a failure) whose completion failed, so that it can be decided (or swept) again. */
  reopenFrontRequest(serviceId: number, authReqIdDigest: string): Promise<void>;
  /** Takes pending requests that expire before `horizon` (pending → failed) for the expiry sweep; safe on several nodes. */
  claimExpiringFrontRequests(horizon: number, limit: number): Promise<FrontRequestRecord[]>;

  enqueueOutbox(record: OutboxRecord): Promise<void>;
  /** Leases due pending rows until `leaseUntil`; each row goes to one claimer (SKIP LOCKED on PostgreSQL). */
  claimDueOutbox(now: number, leaseUntil: number, limit: number): Promise<OutboxRecord[]>;
  finishOutbox(id: string, status: 'delivered' | 'failed', attempts: number, now: number, error: string | null): Promise<void>;
  retryOutbox(id: string, attempts: number, nextAttemptAt: number, error: string): Promise<void>;
  listOutbox(serviceId: number, start: number, end: number): Promise<Page<OutboxRecord>>;

  /**
   * Deletes what can no longer matter, at most `batch` rows per table and call: expired
   * transactions, expired tokens, expired JWT ids, finished outbox rows and old device requests.
   * Idempotent, so several nodes may run it at once.
   */
  purgeExpired(now: number, retention: { finishedMs: number; transactionsMs: number }, batch: number): Promise<PurgeCounts>;

  close(): Promise<void>;
}

export interface PurgeCounts {
  backchannelRequests: number;
  tokens: number;
  usedJtis: number;
  outbox: number;
  frontRequests: number;
}
