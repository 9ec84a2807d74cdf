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

/** What revoking a subject ended: her tokens deleted, her backchannel requests turned into denials. */
export interface SubjectRevocation {
  revokedTokens: number;
  deniedRequests: number;
}

/** The front's built-in user directory. */
export interface UserStore {
  /**
   * Creates or replaces a user of the built-in directory. A user stored as locked loses, in the
   * same transaction, everything tokens could still come from (as deleteUser lists),
   * at `record.modifiedAt`; unlocking her later gives none of it back.
   */
  putUser(record: UserRecord): Promise<void>;
  getUser(serviceId: number, subject: string): Promise<UserRecord | undefined>;
  /** Finds a user by subject, email or phone number (in that order of precedence). */
  findUserByHint(serviceId: number, hint: string): Promise<UserRecord | undefined>;
  listUsers(serviceId: number, start: number, end: number): Promise<Page<UserRecord>>;
  /**
   * Deletes a user and, in the same transaction, revokes her tokens, turns her CIBA requests that
   * wait on a decision or on redemption into denials, ends her pending device requests and fails
   * her queued pushes and device webhooks (at `now`). False (and nothing revoked) when there is no such user.
   */
  deleteUser(serviceId: number, subject: string, now: number): Promise<boolean>;
  /**
   * The revocation of putUser(locked)/deleteUser alone, in one transaction, whether or not the
   * directory holds the subject: an engine does it for a front that keeps the directory in its
   * own database (POST /admin/services/{id}/subjects/revoke). Idempotent: a second call finds nothing.
   */
  revokeSubject(serviceId: number, subject: string, now: number): Promise<SubjectRevocation>;
}
