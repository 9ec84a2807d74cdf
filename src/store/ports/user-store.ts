import type { Page } from './page.js';

export interface UserRecord {
  serviceId: number;
  subject: string;
  email: string | null;
  phoneNumber: string | null;
  status: 'active' | 'locked';
  /** Other claims (name, …) and `userCode` when the user has one: its salted hash (lib/user-code-hash.ts), never the code. */
  data: Record<string, unknown>;
  createdAt: number;
  modifiedAt: number;
}

/** The front's built-in user directory. */
export interface UserStore {
  /** Creates or replaces a user of the built-in directory. */
  putUser(record: UserRecord): Promise<void>;
  getUser(serviceId: number, subject: string): Promise<UserRecord | undefined>;
  /** Finds a user by subject, email or phone number (in that order of precedence). */
  findUserByHint(serviceId: number, hint: string): Promise<UserRecord | undefined>;
  listUsers(serviceId: number, start: number, end: number): Promise<Page<UserRecord>>;
  deleteUser(serviceId: number, subject: string): Promise<boolean>;
}
