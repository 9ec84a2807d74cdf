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
  /** Other claims (name, …) and `userCode` when the user has one. */
  data: Record<string, unknown>;
  createdAt: number;
  modifiedAt: number;
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

  createClient(record: ClientRecord): Promise<void>;
  getClient(serviceId: number, clientId: number): Promise<ClientRecord | undefined>;
  listClients(serviceId: number, start: number, end: number, developer?: string): Promise<Page<ClientRecord>>;
  updateClient(serviceId: number, clientId: number, data: Record<string, unknown>, developer: string | null, secretSealed: string, modifiedAt: number): Promise<boolean>;
  deleteClient(serviceId: number, clientId: number): Promise<boolean>;

  addApiToken(digest: string, serviceId: number | null, description: string | null, createdAt: number): Promise<void>;
  findApiToken(digest: string): Promise<ApiTokenRecord | undefined>;
  hasOrganizationToken(): Promise<boolean>;

  /** Creates or replaces a user of the built-in directory. */
  putUser(record: UserRecord): Promise<void>;
  getUser(serviceId: number, subject: string): Promise<UserRecord | undefined>;
  /** Finds a user by subject, email or phone number (in that order of precedence). */
  findUserByHint(serviceId: number, hint: string): Promise<UserRecord | undefined>;
  listUsers(serviceId: number, start: number, end: number): Promise<Page<UserRecord>>;
  deleteUser(serviceId: number, subject: string): Promise<boolean>;

  close(): Promise<void>;
}
