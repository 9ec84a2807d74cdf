import type { Page } from './page.js';

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

/** What an update of a client replaces. */
export interface ClientChange {
  data: Record<string, unknown>;
  developer: string | null;
  /** Absent: the secret stays as it is. */
  secretSealed?: string;
  clientIdAlias: string | null;
  modifiedAt: number;
}

export interface ClientStore {
  /** 'alias-taken' when another client of the service has the record's alias. */
  createClient(record: ClientRecord): Promise<'created' | 'alias-taken'>;
  getClient(serviceId: number, clientId: number): Promise<ClientRecord | undefined>;
  /** The id of the service's client with this custom alias. */
  findClientIdByAlias(serviceId: number, alias: string): Promise<number | undefined>;
  listClients(serviceId: number, start: number, end: number, developer?: string): Promise<Page<ClientRecord>>;
  updateClient(serviceId: number, clientId: number, change: ClientChange): Promise<'updated' | 'not-found' | 'alias-taken'>;
  /** Replaces the client's sealed secret alone; false when the service has no such client. */
  replaceClientSecret(serviceId: number, clientId: number, secretSealed: string, modifiedAt: number): Promise<boolean>;
  /**
   * Deletes the client with, in the same transaction, its tokens, its CIBA requests, the front's
   * device requests for it, and its pending notifications and webhooks (marked failed at `now`,
   * so they are never sent). False when the service has no such client.
   */
  deleteClient(serviceId: number, clientId: number, now: number): Promise<boolean>;
}
