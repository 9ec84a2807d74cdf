import { sql, type Expression, type ExpressionBuilder, type Kysely, type SelectQueryBuilder, type Selectable, type SqlBool } from 'kysely';
import type { OpenedDatabase } from './database.js';
import { ShortLivedCache } from '../lib/short-lived-cache.js';
import { preparedQuery } from './prepared-query.js';
import type {
  BackchannelRequestsTable,
  ClientsTable,
  Database,
  FrontRequestsTable,
  OutboxTable,
  ServicesTable,
  TokensTable,
  UsersTable,
} from './schema.js';
import type {
  ApiTokenRecord,
  BackchannelRequestRecord,
  BackchannelStatus,
  ClientRecord,
  FrontRequestRecord,
  FrontSettingsRecord,
  OutboxRecord,
  Page,
  PurgeCounts,
  ServiceRecord,
  Store,
  TokenRecord,
  UserRecord,
} from './ports.js';

/** The Store over Kysely; the SQL is kept to what SQLite and PostgreSQL both run. */
/**
 * `column IN (due)` for a claim of queue rows (outbox, expiring device requests). On PostgreSQL
 * the sub-select locks what it picks and skips rows another node holds, and runs as ARRAY(…), an
 * init-plan evaluated once: `column IN (…LIMIT…)` may become a semi-join that reruns the locking
 * sub-select per row and claims far more than `limit` rows (one node hoarding the queue).
 */
function claimable<DB, TB extends keyof DB & string>(
  dialect: 'sqlite' | 'postgres',
  column: string,
  due: SelectQueryBuilder<DB, TB, Record<string, unknown>>,
): (eb: ExpressionBuilder<DB, TB>) => Expression<SqlBool> {
  return (eb) =>
    dialect === 'postgres'
      ? sql<SqlBool>`${sql.ref(column)} = any(array(${due.forUpdate().skipLocked()}))`
      : eb(sql.ref(column), 'in', due as never);
}

export class KyselyStore implements Store {
  readonly dialect: 'sqlite' | 'postgres';
  private readonly db: Kysely<Database>;
  private readonly frontSettings: ShortLivedCache<number, { record: FrontSettingsRecord | undefined }>;

  // The statements of every CIBA flow, compiled once per store (see preparedQuery).
  private readonly q = {
    user: preparedQuery((db: Kysely<Database>, serviceId: number, subject: string) =>
      db.selectFrom('users').selectAll().where('service_id', '=', serviceId).where('subject', '=', subject)),
    // One indexed lookup per kind of hint, in the order of precedence (an OR over the three
    // columns makes SQLite scan every user of the service).
    userBySubject: preparedQuery((db: Kysely<Database>, serviceId: number, hint: string) =>
      db.selectFrom('users').selectAll().where('service_id', '=', serviceId).where('subject', '=', hint)),
    userByEmail: preparedQuery((db: Kysely<Database>, serviceId: number, hint: string) =>
      db.selectFrom('users').selectAll().where('service_id', '=', serviceId).where('email', '=', hint).orderBy('subject').limit(1)),
    userByPhone: preparedQuery((db: Kysely<Database>, serviceId: number, hint: string) =>
      db.selectFrom('users').selectAll().where('service_id', '=', serviceId).where('phone_number', '=', hint).orderBy('subject').limit(1)),
    requestByTicket: preparedQuery((db: Kysely<Database>, serviceId: number, digest: string) =>
      db.selectFrom('backchannel_requests').selectAll().where('service_id', '=', serviceId).where('ticket_digest', '=', digest)),
    requestByAuthReqId: preparedQuery((db: Kysely<Database>, serviceId: number, digest: string) =>
      db.selectFrom('backchannel_requests').selectAll().where('service_id', '=', serviceId).where('auth_req_id_digest', '=', digest)),
    insertRequest: preparedQuery((db: Kysely<Database>, ...values: unknown[]) =>
      db.insertInto('backchannel_requests').values(rowOf(BACKCHANNEL_COLUMNS, values) as never)),
    issue: preparedQuery(
      (db: Kysely<Database>, digest: string, sealed: string, serviceId: number, ticketDigest: string, now: number) =>
        db
          .updateTable('backchannel_requests')
          .set({ status: 'issued', auth_req_id_digest: digest, auth_req_id_sealed: sealed })
          .where('service_id', '=', serviceId)
          .where('ticket_digest', '=', ticketDigest)
          .where('status', '=', 'identified')
          .where('expires_at', '>', now)
          .returningAll(),
    ),
    frontRequest: preparedQuery((db: Kysely<Database>, serviceId: number, digest: string) =>
      db.selectFrom('front_requests').selectAll().where('service_id', '=', serviceId).where('auth_req_id_digest', '=', digest)),
    insertFrontRequest: preparedQuery((db: Kysely<Database>, ...values: unknown[]) =>
      db.insertInto('front_requests').values(rowOf(FRONT_REQUEST_COLUMNS, values) as never)),
    decide: preparedQuery((db: Kysely<Database>, status: string, serviceId: number, digest: string, now: number) =>
      db
        .updateTable('front_requests')
        .set({ status })
        .where('service_id', '=', serviceId)
        .where('auth_req_id_digest', '=', digest)
        .where('status', '=', 'pending')
        .where('expires_at', '>', now)
        .returningAll()),
    tokenByAccess: preparedQuery((db: Kysely<Database>, serviceId: number, digest: string) =>
      db.selectFrom('tokens').selectAll().where('service_id', '=', serviceId).where('access_token_digest', '=', digest)),
    insertToken: preparedQuery((db: Kysely<Database>, ...values: unknown[]) => db.insertInto('tokens').values(rowOf(TOKEN_COLUMNS, values) as never)),
    apiToken: preparedQuery((db: Kysely<Database>, digest: string) => db.selectFrom('api_tokens').select('service_id').where('digest', '=', digest)),
    clientByAlias: preparedQuery((db: Kysely<Database>, serviceId: number, alias: string) =>
      db.selectFrom('clients').select('client_id').where('service_id', '=', serviceId).where('client_id_alias', '=', alias)),
    complete: preparedQuery((db: Kysely<Database>, status: string, result: string, serviceId: number, ticketDigest: string, now: number) =>
      db
        .updateTable('backchannel_requests')
        .set({ status, result })
        .where('service_id', '=', serviceId)
        .where('ticket_digest', '=', ticketDigest)
        .where('status', '=', 'issued')
        .where('expires_at', '>', now)
        .returningAll()),
    consume: preparedQuery((db: Kysely<Database>, id: string, now: number) =>
      db
        .updateTable('backchannel_requests')
        // The redemption is the last poll: its time starts the replay grace window.
        .set({ status: 'consumed', last_polled_at: now })
        .where('id', '=', id)
        .where('status', '=', 'authorized')
        .where('expires_at', '>', now)),
  };

  /** `now` ages the node-local caches (the engine's clock; tests move a manual one). */
  constructor(private readonly opened: OpenedDatabase, now: () => number = Date.now) {
    this.db = opened.db;
    this.dialect = opened.dialect;
    this.frontSettings = new ShortLivedCache(2_000, undefined, now);
  }

  async getMeta(name: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('meta').select('value').where('name', '=', name).executeTakeFirst();
    return row?.value;
  }

  async putMetaIfAbsent(name: string, value: string): Promise<string> {
    await this.db
      .insertInto('meta')
      .values({ name, value })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const stored = await this.getMeta(name);
    if (stored === undefined) throw new Error(`meta ${name} vanished`);
    return stored;
  }

  async nextNumber(counter: string): Promise<number> {
    // One statement: insert the first value or increment, and read what was written.
    const row = await this.db
      .insertInto('counters')
      .values({ name: counter, value: 1 })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: sql`counters.value + 1` }))
      .returning('value')
      .executeTakeFirstOrThrow();
    return Number(row.value);
  }

  async createService(r: ServiceRecord): Promise<void> {
    await this.db
      .insertInto('services')
      .values({
        api_key: r.apiKey,
        number: r.number,
        data: JSON.stringify(r.data),
        jwks_sealed: r.jwksSealed,
        created_at: r.createdAt,
        modified_at: r.modifiedAt,
      })
      .execute();
  }

  async getService(apiKey: number): Promise<ServiceRecord | undefined> {
    const row = await this.db.selectFrom('services').selectAll().where('api_key', '=', apiKey).executeTakeFirst();
    return row ? toService(row) : undefined;
  }

  async listServices(start: number, end: number, onlyApiKey?: number): Promise<Page<ServiceRecord>> {
    let query = this.db.selectFrom('services');
    if (onlyApiKey !== undefined) query = query.where('api_key', '=', onlyApiKey);
    const count = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await query.selectAll().orderBy('number').offset(start).limit(Math.max(0, end - start)).execute();
    return { totalCount: Number(count.n), items: rows.map(toService) };
  }

  async updateService(apiKey: number, data: Record<string, unknown>, jwksSealed: string | null, modifiedAt: number): Promise<boolean> {
    const result = await this.db
      .updateTable('services')
      .set({ data: JSON.stringify(data), jwks_sealed: jwksSealed, modified_at: modifiedAt })
      .where('api_key', '=', apiKey)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async deleteService(apiKey: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('api_tokens').where('service_id', '=', apiKey).execute();
      await trx.deleteFrom('clients').where('service_id', '=', apiKey).execute();
      await trx.deleteFrom('users').where('service_id', '=', apiKey).execute();
      await trx.deleteFrom('tokens').where('service_id', '=', apiKey).execute();
      await trx.deleteFrom('backchannel_requests').where('service_id', '=', apiKey).execute();
      await trx.deleteFrom('front_requests').where('service_id', '=', apiKey).execute();
      await trx.deleteFrom('front_settings').where('service_id', '=', apiKey).execute();
      this.frontSettings.delete(apiKey);
      await trx.deleteFrom('outbox').where('service_id', '=', apiKey).execute();
      const result = await trx.deleteFrom('services').where('api_key', '=', apiKey).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  async createClient(r: ClientRecord): Promise<'created' | 'alias-taken'> {
    try {
      await this.db
        .insertInto('clients')
        .values({
          client_id: r.clientId,
          service_id: r.serviceId,
          number: r.number,
          developer: r.developer,
          data: JSON.stringify(r.data),
          secret_sealed: r.secretSealed,
          client_id_alias: r.clientIdAlias,
          created_at: r.createdAt,
          modified_at: r.modifiedAt,
        })
        .execute();
      return 'created';
    } catch (error) {
      if (r.clientIdAlias !== null && isUniqueViolation(error) && (await this.findClientIdByAlias(r.serviceId, r.clientIdAlias)) !== undefined) return 'alias-taken';
      throw error;
    }
  }

  async getClient(serviceId: number, clientId: number): Promise<ClientRecord | undefined> {
    const row = await this.db
      .selectFrom('clients')
      .selectAll()
      .where('service_id', '=', serviceId)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    return row ? toClient(row) : undefined;
  }

  async findClientIdByAlias(serviceId: number, alias: string): Promise<number | undefined> {
    if (!storableText(alias)) return undefined;
    const row = (await this.q.clientByAlias(this.db, serviceId, alias)).rows[0];
    return row ? Number(row.client_id) : undefined;
  }

  async listClients(serviceId: number, start: number, end: number, developer?: string): Promise<Page<ClientRecord>> {
    let query = this.db.selectFrom('clients').where('service_id', '=', serviceId);
    if (developer !== undefined) query = query.where('developer', '=', developer);
    const count = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await query.selectAll().orderBy('number').offset(start).limit(Math.max(0, end - start)).execute();
    return { totalCount: Number(count.n), items: rows.map(toClient) };
  }

  async updateClient(
    serviceId: number,
    clientId: number,
    change: { data: Record<string, unknown>; developer: string | null; secretSealed: string; clientIdAlias: string | null; modifiedAt: number },
  ): Promise<'updated' | 'not-found' | 'alias-taken'> {
    try {
      const result = await this.db
        .updateTable('clients')
        .set({
          data: JSON.stringify(change.data),
          developer: change.developer,
          secret_sealed: change.secretSealed,
          client_id_alias: change.clientIdAlias,
          modified_at: change.modifiedAt,
        })
        .where('service_id', '=', serviceId)
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0 ? 'updated' : 'not-found';
    } catch (error) {
      if (change.clientIdAlias !== null && isUniqueViolation(error)) {
        const holder = await this.findClientIdByAlias(serviceId, change.clientIdAlias);
        if (holder !== undefined && holder !== clientId) return 'alias-taken';
      }
      throw error;
    }
  }

  async deleteClient(serviceId: number, clientId: number): Promise<boolean> {
    // A deleted client's tokens and pending requests go with it.
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('tokens').where('service_id', '=', serviceId).where('client_id', '=', clientId).execute();
      await trx.deleteFrom('backchannel_requests').where('service_id', '=', serviceId).where('client_id', '=', clientId).execute();
      const result = await trx.deleteFrom('clients').where('service_id', '=', serviceId).where('client_id', '=', clientId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  async addApiToken(digest: string, serviceId: number | null, description: string | null, createdAt: number): Promise<void> {
    await this.db.insertInto('api_tokens').values({ digest, service_id: serviceId, description, created_at: createdAt }).execute();
  }

  async findApiToken(digest: string): Promise<ApiTokenRecord | undefined> {
    const row = (await this.q.apiToken(this.db, digest)).rows[0];
    return row ? { serviceId: row.service_id === null ? null : Number(row.service_id) } : undefined;
  }

  async deleteApiToken(digest: string, serviceId?: number): Promise<boolean> {
    let query = this.db.deleteFrom('api_tokens').where('digest', '=', digest);
    if (serviceId !== undefined) query = query.where('service_id', '=', serviceId);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async hasOrganizationToken(): Promise<boolean> {
    const row = await this.db.selectFrom('api_tokens').select('digest').where('service_id', 'is', null).executeTakeFirst();
    return row !== undefined;
  }

  async putUser(r: UserRecord): Promise<void> {
    const row = {
      service_id: r.serviceId,
      subject: r.subject,
      email: r.email,
      phone_number: r.phoneNumber,
      status: r.status,
      data: JSON.stringify(r.data),
      created_at: r.createdAt,
      modified_at: r.modifiedAt,
    };
    await this.db
      .insertInto('users')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['service_id', 'subject']).doUpdateSet({
          email: row.email,
          phone_number: row.phone_number,
          status: row.status,
          data: row.data,
          modified_at: row.modified_at,
        }),
      )
      .execute();
  }

  async getUser(serviceId: number, subject: string): Promise<UserRecord | undefined> {
    if (!storableText(subject)) return undefined;
    const row = (await this.q.user(this.db, serviceId, subject)).rows[0];
    return row ? toUser(row) : undefined;
  }

  async findUserByHint(serviceId: number, hint: string): Promise<UserRecord | undefined> {
    if (!storableText(hint)) return undefined;
    for (const query of [this.q.userBySubject, this.q.userByEmail, this.q.userByPhone]) {
      const row = (await query(this.db, serviceId, hint)).rows[0];
      if (row) return toUser(row);
    }
    return undefined;
  }

  async listUsers(serviceId: number, start: number, end: number): Promise<Page<UserRecord>> {
    const query = this.db.selectFrom('users').where('service_id', '=', serviceId);
    const count = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await query.selectAll().orderBy('subject').offset(start).limit(Math.max(0, end - start)).execute();
    return { totalCount: Number(count.n), items: rows.map(toUser) };
  }

  async deleteUser(serviceId: number, subject: string): Promise<boolean> {
    const result = await this.db.deleteFrom('users').where('service_id', '=', serviceId).where('subject', '=', subject).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async createBackchannelRequest(r: BackchannelRequestRecord): Promise<void> {
    await this.q.insertRequest(this.db, ...valuesOf(BACKCHANNEL_COLUMNS, backchannelRow(r)));
  }

  async findBackchannelRequestByTicket(serviceId: number, ticketDigest: string): Promise<BackchannelRequestRecord | undefined> {
    const row = (await this.q.requestByTicket(this.db, serviceId, ticketDigest)).rows[0];
    return row ? toBackchannel(row) : undefined;
  }

  async findBackchannelRequestByAuthReqId(serviceId: number, authReqIdDigest: string): Promise<BackchannelRequestRecord | undefined> {
    const row = (await this.q.requestByAuthReqId(this.db, serviceId, authReqIdDigest)).rows[0];
    return row ? toBackchannel(row) : undefined;
  }

  async issueAuthReqId(
    serviceId: number,
    ticketDigest: string,
    authReqId: { digest: string; sealed: string },
    now: number,
  ): Promise<BackchannelRequestRecord | undefined> {
    const row = (await this.q.issue(this.db, authReqId.digest, authReqId.sealed, serviceId, ticketDigest, now)).rows[0];
    return row ? toBackchannel(row) : undefined;
  }

  async deleteBackchannelRequest(serviceId: number, ticketDigest: string): Promise<boolean> {
    // Only a ticket still waiting for /issue: an issued request keeps its outcome and replay record.
    const result = await this.db
      .deleteFrom('backchannel_requests')
      .where('service_id', '=', serviceId)
      .where('ticket_digest', '=', ticketDigest)
      .where('status', '=', 'identified')
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async completeBackchannelRequest(
    serviceId: number,
    ticketDigest: string,
    status: 'authorized' | 'denied' | 'failed' | 'consumed',
    result: Record<string, unknown>,
    now: number,
    tokens?: TokenRecord,
    outbox?: OutboxRecord,
  ): Promise<BackchannelRequestRecord | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = (await this.q.complete(trx, status, JSON.stringify(result), serviceId, ticketDigest, now)).rows[0];
      if (!row) return undefined;
      if (tokens) await this.q.insertToken(trx, ...valuesOf(TOKEN_COLUMNS, tokenRow(tokens)));
      // The notification is durable exactly when the result is.
      if (outbox) await trx.insertInto('outbox').values(outboxRow(outbox)).execute();
      return toBackchannel(row);
    });
  }

  async recordPoll(id: string, now: number, penalty: number): Promise<number | undefined> {
    // Every right-hand side reads the row as it was before this UPDATE, in both databases.
    const row = await this.db
      .updateTable('backchannel_requests')
      .set({
        interval: sql<number>`case when last_polled_at is not null and ${now} - last_polled_at < "interval" * 1000 then "interval" + ${penalty} else "interval" end`,
        last_polled_at: now,
      })
      .where('id', '=', id)
      .returning('interval')
      .executeTakeFirst();
    return row ? Number(row.interval) : undefined;
  }

  async consumeAuthorizedRequest(id: string, now: number, tokens: TokenRecord): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await this.q.consume(trx, id, now);
      if (Number(result.numAffectedRows ?? 0) !== 1) return false;
      await this.q.insertToken(trx, ...valuesOf(TOKEN_COLUMNS, tokenRow(tokens)));
      return true;
    });
  }

  async insertToken(r: TokenRecord): Promise<void> {
    await this.q.insertToken(this.db, ...valuesOf(TOKEN_COLUMNS, tokenRow(r)));
  }

  async findTokenByAccessDigest(serviceId: number, digest: string): Promise<TokenRecord | undefined> {
    const row = (await this.q.tokenByAccess(this.db, serviceId, digest)).rows[0];
    return row ? toToken(row) : undefined;
  }

  async findTokenByRefreshDigest(serviceId: number, digest: string): Promise<TokenRecord | undefined> {
    const row = await this.db.selectFrom('tokens').selectAll().where('service_id', '=', serviceId).where('refresh_token_digest', '=', digest).executeTakeFirst();
    return row ? toToken(row) : undefined;
  }

  async rotateRefreshToken(serviceId: number, refreshDigest: string, now: number, next: TokenRecord): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const removed = await trx
        .deleteFrom('tokens')
        .where('service_id', '=', serviceId)
        .where('refresh_token_digest', '=', refreshDigest)
        .where('refresh_expires_at', '>', now)
        .executeTakeFirst();
      if (Number(removed.numDeletedRows) !== 1) return false;
      await trx.insertInto('tokens').values(tokenRow(next)).execute();
      return true;
    });
  }

  async deleteToken(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('tokens').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async deleteTokensOfGrant(grantId: string): Promise<number> {
    const result = await this.db.deleteFrom('tokens').where('grant_id', '=', grantId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async revokeReplayedGrant(grantId: string, redeemedBefore: number): Promise<number> {
    // One statement, so the check of the redemption time and the deletion cannot be split by
    // another request. A consumed request without a time was redeemed before times were kept.
    const result = await this.db
      .deleteFrom('tokens')
      .where('grant_id', '=', grantId)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('backchannel_requests')
            .select('id')
            .where('id', '=', grantId)
            .where('status', '=', 'consumed')
            .where((eb) => eb.or([eb('last_polled_at', 'is', null), eb('last_polled_at', '<=', redeemedBefore)])),
        ),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async claimJti(scope: string, jti: string, expiresAt: number, now: number): Promise<boolean> {
    // Insert, or take over a record whose lifetime is over; a live record means replay.
    const row = await this.db
      .insertInto('used_jtis')
      .values({ scope, jti, expires_at: expiresAt })
      .onConflict((oc) =>
        oc.columns(['scope', 'jti']).doUpdateSet({ expires_at: expiresAt }).where('used_jtis.expires_at', '<=', now),
      )
      .returning('jti')
      .executeTakeFirst();
    return row !== undefined;
  }

  async getFrontSettings(serviceId: number): Promise<FrontSettingsRecord | undefined> {
    // Read on every backchannel request and changed rarely: kept briefly (other nodes' changes
    // show within the cache's lifetime; this node's at once).
    const cached = this.frontSettings.get(serviceId);
    if (cached) return cached.record;
    const row = await this.db.selectFrom('front_settings').selectAll().where('service_id', '=', serviceId).executeTakeFirst();
    const record = row
      ? { serviceId: Number(row.service_id), data: JSON.parse(row.data) as Record<string, unknown>, webhookSecretSealed: row.webhook_secret_sealed, modifiedAt: Number(row.modified_at) }
      : undefined;
    this.frontSettings.set(serviceId, { record });
    return record;
  }

  async putFrontSettings(r: FrontSettingsRecord): Promise<void> {
    this.frontSettings.delete(r.serviceId);
    const row = { service_id: r.serviceId, data: JSON.stringify(r.data), webhook_secret_sealed: r.webhookSecretSealed, modified_at: r.modifiedAt };
    await this.db
      .insertInto('front_settings')
      .values(row)
      .onConflict((oc) => oc.column('service_id').doUpdateSet({ data: row.data, webhook_secret_sealed: row.webhook_secret_sealed, modified_at: row.modified_at }))
      .execute();
    this.frontSettings.delete(r.serviceId);
  }

  async createFrontRequest(r: FrontRequestRecord): Promise<void> {
    await this.q.insertFrontRequest(this.db, ...valuesOf(FRONT_REQUEST_COLUMNS, frontRequestRow(r)));
  }

  async findFrontRequest(serviceId: number, authReqIdDigest: string): Promise<FrontRequestRecord | undefined> {
    const row = (await this.q.frontRequest(this.db, serviceId, authReqIdDigest)).rows[0];
    return row ? toFrontRequest(row) : undefined;
  }

  async listPendingFrontRequests(serviceId: number, subject: string | undefined, now: number, limit: number): Promise<FrontRequestRecord[]> {
    let query = this.db
      .selectFrom('front_requests')
      .selectAll()
      .where('service_id', '=', serviceId)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now);
    if (subject !== undefined) query = query.where('subject', '=', subject);
    const rows = await query.orderBy('created_at', 'desc').limit(limit).execute();
    return rows.map(toFrontRequest);
  }

  async decideFrontRequest(serviceId: number, authReqIdDigest: string, status: 'allowed' | 'denied' | 'failed', now: number): Promise<FrontRequestRecord | undefined> {
    const row = (await this.q.decide(this.db, status, serviceId, authReqIdDigest, now)).rows[0];
    return row ? toFrontRequest(row) : undefined;
  }

  async reopenFrontRequest(serviceId: number, authReqIdDigest: string): Promise<void> {
    await this.db
      .updateTable('front_requests')
      .set({ status: 'pending' })
      .where('service_id', '=', serviceId)
      .where('auth_req_id_digest', '=', authReqIdDigest)
      .where('status', 'in', ['allowed', 'denied', 'failed'])
      .execute();
  }

  async claimExpiringFrontRequests(horizon: number, limit: number): Promise<FrontRequestRecord[]> {
    const due = this.db
      .selectFrom('front_requests')
      .select('auth_req_id_digest')
      .where('status', '=', 'pending')
      .where('expires_at', '<=', horizon)
      .orderBy('expires_at')
      .limit(limit);
    const rows = await this.db
      .updateTable('front_requests')
      .set({ status: 'failed' })
      .where(claimable(this.dialect, 'auth_req_id_digest', due))
      .where('status', '=', 'pending')
      .returningAll()
      .execute();
    return rows.map(toFrontRequest);
  }

  async enqueueOutbox(r: OutboxRecord): Promise<void> {
    await this.db.insertInto('outbox').values(outboxRow(r)).execute();
  }

  async claimDueOutbox(now: number, leaseUntil: number, limit: number): Promise<OutboxRecord[]> {
    const due = this.db
      .selectFrom('outbox')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .orderBy('next_attempt_at')
      .limit(limit);
    // The re-checked conditions make a row that another node leased meanwhile drop out.
    const rows = await this.db
      .updateTable('outbox')
      .set({ claimed_until: leaseUntil })
      .where(claimable(this.dialect, 'id', due))
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .returningAll()
      .execute();
    return rows.map(toOutbox);
  }

  async finishOutbox(id: string, status: 'delivered' | 'failed', attempts: number, now: number, error: string | null): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set({ status, attempts, finished_at: now, last_error: error, claimed_until: null })
      .where('id', '=', id)
      .execute();
  }

  async retryOutbox(id: string, attempts: number, nextAttemptAt: number, error: string): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set({ attempts, next_attempt_at: nextAttemptAt, last_error: error, claimed_until: null })
      .where('id', '=', id)
      .execute();
  }

  async listOutbox(serviceId: number, start: number, end: number): Promise<Page<OutboxRecord>> {
    const query = this.db.selectFrom('outbox').where('service_id', '=', serviceId);
    const count = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await query.selectAll().orderBy('created_at', 'desc').offset(start).limit(Math.max(0, end - start)).execute();
    return { totalCount: Number(count.n), items: rows.map(toOutbox) };
  }

  async purgeExpired(now: number, retention: { finishedMs: number; transactionsMs: number }, batch: number): Promise<PurgeCounts> {
    const deleted = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows);
    // Each DELETE takes a bounded batch (through a keyed sub-select), so no purge holds long locks.
    const backchannelRequests = deleted(
      await this.db
        .deleteFrom('backchannel_requests')
        .where('id', 'in', this.db.selectFrom('backchannel_requests').select('id').where('expires_at', '<', now - retention.transactionsMs).limit(batch))
        .executeTakeFirst(),
    );
    const tokens = deleted(
      await this.db
        .deleteFrom('tokens')
        .where(
          'id',
          'in',
          this.db
            .selectFrom('tokens')
            .select('id')
            .where('access_expires_at', '<', now)
            .where((eb) => eb.or([eb('refresh_expires_at', 'is', null), eb('refresh_expires_at', '<', now)]))
            .limit(batch),
        )
        .executeTakeFirst(),
    );
    const usedJtis = deleted(
      // JWT-id rows are tiny and indexed by expiry; one statement clears them.
      await this.db.deleteFrom('used_jtis').where('expires_at', '<', now).executeTakeFirst(),
    );
    const outbox = deleted(
      await this.db
        .deleteFrom('outbox')
        .where(
          'id',
          'in',
          this.db.selectFrom('outbox').select('id').where('status', 'in', ['delivered', 'failed']).where('finished_at', '<', now - retention.finishedMs).limit(batch),
        )
        .executeTakeFirst(),
    );
    const frontRequests = deleted(
      await this.db
        .deleteFrom('front_requests')
        .where(
          'auth_req_id_digest',
          'in',
          this.db.selectFrom('front_requests').select('auth_req_id_digest').where('expires_at', '<', now - retention.transactionsMs).limit(batch),
        )
        .executeTakeFirst(),
    );
    return { backchannelRequests, tokens, usedJtis, outbox, frontRequests };
  }

  close(): Promise<void> {
    return this.opened.close();
  }
}

function toService(row: Selectable<ServicesTable>): ServiceRecord {
  return {
    apiKey: Number(row.api_key),
    number: Number(row.number),
    data: JSON.parse(row.data) as Record<string, unknown>,
    jwksSealed: row.jwks_sealed,
    createdAt: Number(row.created_at),
    modifiedAt: Number(row.modified_at),
  };
}

function toClient(row: Selectable<ClientsTable>): ClientRecord {
  return {
    clientId: Number(row.client_id),
    serviceId: Number(row.service_id),
    number: Number(row.number),
    developer: row.developer,
    data: JSON.parse(row.data) as Record<string, unknown>,
    secretSealed: row.secret_sealed,
    clientIdAlias: row.client_id_alias ?? null,
    createdAt: Number(row.created_at),
    modifiedAt: Number(row.modified_at),
  };
}

function toUser(row: Selectable<UsersTable>): UserRecord {
  return {
    serviceId: Number(row.service_id),
    subject: row.subject,
    email: row.email,
    phoneNumber: row.phone_number,
    status: row.status === 'locked' ? 'locked' : 'active',
    data: JSON.parse(row.data) as Record<string, unknown>,
    createdAt: Number(row.created_at),
    modifiedAt: Number(row.modified_at),
  };
}

function backchannelRow(r: BackchannelRequestRecord): BackchannelRequestsTable {
  return {
    id: r.id,
    ticket_digest: r.ticketDigest,
    auth_req_id_digest: r.authReqIdDigest,
    auth_req_id_sealed: r.authReqIdSealed,
    service_id: r.serviceId,
    client_id: r.clientId,
    status: r.status,
    delivery_mode: r.deliveryMode,
    request: JSON.stringify(r.request),
    result: r.result === null ? null : JSON.stringify(r.result),
    interval: r.interval,
    last_polled_at: r.lastPolledAt,
    created_at: r.createdAt,
    expires_at: r.expiresAt,
  };
}

function toBackchannel(row: Selectable<BackchannelRequestsTable>): BackchannelRequestRecord {
  return {
    id: row.id,
    ticketDigest: row.ticket_digest,
    authReqIdDigest: row.auth_req_id_digest,
    authReqIdSealed: row.auth_req_id_sealed,
    serviceId: Number(row.service_id),
    clientId: Number(row.client_id),
    status: row.status as BackchannelStatus,
    deliveryMode: row.delivery_mode as BackchannelRequestRecord['deliveryMode'],
    request: JSON.parse(row.request) as Record<string, unknown>,
    result: row.result === null ? null : (JSON.parse(row.result) as Record<string, unknown>),
    interval: Number(row.interval),
    lastPolledAt: row.last_polled_at === null ? null : Number(row.last_polled_at),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

function tokenRow(r: TokenRecord): TokensTable {
  return {
    id: r.id,
    access_token_digest: r.accessTokenDigest,
    refresh_token_digest: r.refreshTokenDigest,
    service_id: r.serviceId,
    client_id: r.clientId,
    subject: r.subject,
    grant_id: r.grantId,
    grant_type: r.grantType,
    data: JSON.stringify(r.data),
    access_expires_at: r.accessExpiresAt,
    refresh_expires_at: r.refreshExpiresAt,
    created_at: r.createdAt,
  };
}

function toToken(row: Selectable<TokensTable>): TokenRecord {
  return {
    id: row.id,
    accessTokenDigest: row.access_token_digest,
    refreshTokenDigest: row.refresh_token_digest,
    serviceId: Number(row.service_id),
    clientId: Number(row.client_id),
    subject: row.subject,
    grantId: row.grant_id,
    grantType: row.grant_type,
    data: JSON.parse(row.data) as Record<string, unknown>,
    accessExpiresAt: Number(row.access_expires_at),
    refreshExpiresAt: row.refresh_expires_at === null ? null : Number(row.refresh_expires_at),
    createdAt: Number(row.created_at),
  };
}

function frontRequestRow(r: FrontRequestRecord): FrontRequestsTable {
  return {
    auth_req_id_digest: r.authReqIdDigest,
    service_id: r.serviceId,
    subject: r.subject,
    client_id: r.clientId,
    ticket_sealed: r.ticketSealed,
    auth_req_id_sealed: r.authReqIdSealed,
    details: JSON.stringify(r.details),
    status: r.status,
    channel: r.channel,
    created_at: r.createdAt,
    expires_at: r.expiresAt,
  };
}

function toFrontRequest(row: Selectable<FrontRequestsTable>): FrontRequestRecord {
  return {
    authReqIdDigest: row.auth_req_id_digest,
    serviceId: Number(row.service_id),
    subject: row.subject,
    clientId: Number(row.client_id),
    ticketSealed: row.ticket_sealed,
    authReqIdSealed: row.auth_req_id_sealed,
    details: JSON.parse(row.details) as Record<string, unknown>,
    status: row.status as FrontRequestRecord['status'],
    channel: row.channel as FrontRequestRecord['channel'],
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

function outboxRow(r: OutboxRecord): OutboxTable {
  return {
    id: r.id,
    service_id: r.serviceId,
    kind: r.kind,
    endpoint: r.endpoint,
    authorization_sealed: r.authorizationSealed,
    body_sealed: r.bodySealed,
    summary: JSON.stringify(r.summary),
    status: r.status,
    attempts: r.attempts,
    next_attempt_at: r.nextAttemptAt,
    claimed_until: r.claimedUntil,
    last_error: r.lastError,
    created_at: r.createdAt,
    expires_at: r.expiresAt,
    finished_at: r.finishedAt,
  };
}

function toOutbox(row: Selectable<OutboxTable>): OutboxRecord {
  return {
    id: row.id,
    serviceId: Number(row.service_id),
    kind: row.kind as OutboxRecord['kind'],
    endpoint: row.endpoint,
    authorizationSealed: row.authorization_sealed,
    bodySealed: row.body_sealed,
    summary: JSON.parse(row.summary) as Record<string, unknown>,
    status: row.status as OutboxRecord['status'],
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    claimedUntil: row.claimed_until === null ? null : Number(row.claimed_until),
    lastError: row.last_error,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}

// Column orders of the prepared inserts.
const BACKCHANNEL_COLUMNS = [
  'id', 'ticket_digest', 'auth_req_id_digest', 'auth_req_id_sealed', 'service_id', 'client_id', 'status', 'delivery_mode',
  'request', 'result', 'interval', 'last_polled_at', 'created_at', 'expires_at',
] as const satisfies readonly (keyof BackchannelRequestsTable)[];
const FRONT_REQUEST_COLUMNS = [
  'auth_req_id_digest', 'service_id', 'subject', 'client_id', 'ticket_sealed', 'auth_req_id_sealed', 'details', 'status', 'channel', 'created_at', 'expires_at',
] as const satisfies readonly (keyof FrontRequestsTable)[];
const TOKEN_COLUMNS = [
  'id', 'access_token_digest', 'refresh_token_digest', 'service_id', 'client_id', 'subject', 'grant_id', 'grant_type', 'data',
  'access_expires_at', 'refresh_expires_at', 'created_at',
] as const satisfies readonly (keyof TokensTable)[];

function rowOf(columns: readonly string[], values: unknown[]): Record<string, unknown> {
  return Object.fromEntries(columns.map((column, i) => [column, values[i]]));
}

function valuesOf<T>(columns: readonly (keyof T)[], row: T): unknown[] {
  return columns.map((column) => row[column]);
}

/** A UNIQUE constraint failed (SQLite's extended code, PostgreSQL's SQLSTATE 23505). */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/**
 * Whether a text can be stored at all: PostgreSQL's text cannot hold NUL (it fails the whole
 * statement), so a lookup by such a value can only find nothing — on both databases alike.
 */
function storableText(value: string): boolean {
  return !value.includes('\u0000');
}
