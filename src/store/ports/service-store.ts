import type { Page } from './page.js';

export interface ServiceRecord {
  apiKey: number;
  number: number;
  /** The stored Service JSON (no ids, timestamps or keys). */
  data: Record<string, unknown>;
  jwksSealed: string | null;
  createdAt: number;
  modifiedAt: number;
}

export interface ServiceStore {
  createService(record: ServiceRecord): Promise<void>;
  getService(apiKey: number): Promise<ServiceRecord | undefined>;
  listServices(start: number, end: number, onlyApiKey?: number): Promise<Page<ServiceRecord>>;
  /** Replaces the stored data; returns false when the service no longer exists. */
  updateService(apiKey: number, data: Record<string, unknown>, jwksSealed: string | null, modifiedAt: number): Promise<boolean>;
  /** Deletes the service and everything that belongs to it (the front's rows too); false when it did not exist. */
  deleteService(apiKey: number): Promise<boolean>;
}
