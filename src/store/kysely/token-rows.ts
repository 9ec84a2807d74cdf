import type { Kysely, Selectable } from 'kysely';
import type { TokenRecord } from '../ports/token-store.js';
import type { Database, TokensTable } from '../schema.js';
import type { HotPath } from '../hot-path.js';
import { preparedInsert } from './sql-helpers.js';

export function tokenRow(r: TokenRecord): TokensTable {
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

export function toToken(row: Selectable<TokensTable>): TokenRecord {
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

export type TokenInsert = (db: Kysely<Database>, record: TokenRecord) => Promise<unknown>;

/** The token insert, compiled once per store: minting runs it on every token response. */
export function tokenInsert(hot: HotPath): TokenInsert {
  const insert = preparedInsert(hot, 'tokens');
  return (db, record) => insert(db, tokenRow(record));
}
