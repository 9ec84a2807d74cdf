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
  /** Replaces the stored data (and the keys, unless `jwksSealed` is undefined); false when the service no longer exists. */
  updateService(apiKey: number, data: Record<string, unknown>, jwksSealed: string | null | undefined, modifiedAt: number): Promise<boolean>;
  /**
   * Replaces the sealed key set only if it is still `expected` (a key rotation's compare-and-set,
   * so that two rotations at once cannot both win); false when it changed or the service is gone.
   */
  replaceServiceKeys(apiKey: number, expected: string | null, jwksSealed: string, modifiedAt: number): Promise<boolean>;
  /** Deletes the service and everything that belongs to it (the front's rows too); false when it did not exist. */
  deleteService(apiKey: number): Promise<boolean>;
}
