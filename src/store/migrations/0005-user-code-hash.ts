import type { Kysely } from 'kysely';
import { hashUserCode, isUserCodeHash } from '../../lib/user-code-hash.js';

// User codes were stored in clear in the user's JSON (`data.userCode`); from here on the member
// holds a salted hash (lib/user-code-hash.ts). Rewrites every clear code as its hash; a value that
// is already a hash is left alone, so a rerun after a crash half-way (SQLite migrates outside a
// transaction) picks up where it stopped.
// Hashing is deliberately slow: a few run at once on the thread pool, the writes one by one.
const HASHES_AT_ONCE = 4;

interface UserRow {
  service_id: number;
  subject: string;
  data: string;
}

export async function up(db: Kysely<any>): Promise<void> {
  // Only rows that mention the member can hold a code; the JSON decides.
  const rows = (await db.selectFrom('users').select(['service_id', 'subject', 'data']).where('data', 'like', '%"userCode"%').execute()) as UserRow[];
  const pending = rows.map((row) => ({ row, data: parsedData(row.data) })).filter((entry) => typeof entry.data?.userCode === 'string' && !isUserCodeHash(entry.data.userCode));
  for (let i = 0; i < pending.length; i += HASHES_AT_ONCE) {
    const batch = pending.slice(i, i + HASHES_AT_ONCE);
    const hashed = await Promise.all(batch.map(({ data }) => hashUserCode(String(data!.userCode))));
    for (const [j, { row, data }] of batch.entries()) {
      await db
        .updateTable('users')
        .set({ data: JSON.stringify({ ...data, userCode: hashed[j] }) })
        .where('service_id', '=', row.service_id)
        .where('subject', '=', row.subject)
        .execute();
    }
  }
}

// A hash cannot be turned back into the code. Older code would compare the hash as if it were
// the code and so refuse every user code: it fails closed, and the codes must be set again.
export async function down(): Promise<void> {}

function parsedData(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
