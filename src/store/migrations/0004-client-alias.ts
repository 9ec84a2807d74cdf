import type { Kysely } from 'kysely';

// Custom client id aliases (Authlete's `clientIdAlias`), indexed so a client can present its
// alias as `client_id`. Backfilled from the stored client JSON with the aliases the API now
// accepts (1–255 printable ASCII characters without spaces, not a number); where two clients of
// a service claimed the same alias (nothing enforced it before), the older one keeps it. Others
// stay in the client's JSON, unusable as client_id, until the client is given a valid one.
// Frozen with this migration: the rule as it was when it ran.
const USABLE_ALIAS = /^[\x21-\x7E]{1,255}$/;

export async function up(db: Kysely<any>): Promise<void> {
  // SQLite runs migrations outside a transaction: after a crash between these steps, a rerun
  // must find the column already there.
  const tables = await db.introspection.getTables();
  const clients = tables.find((t) => t.name === 'clients');
  if (!clients?.columns.some((c) => c.name === 'client_id_alias')) {
    await db.schema.alterTable('clients').addColumn('client_id_alias', 'varchar(255)').execute();
  }
  const rows = await db.selectFrom('clients').select(['client_id', 'service_id', 'data']).where('client_id_alias', 'is', null).orderBy('number').execute();
  const taken = new Set<string>(
    (await db.selectFrom('clients').select(['service_id', 'client_id_alias']).where('client_id_alias', 'is not', null).execute()).map(
      (r) => `${r.service_id}:${r.client_id_alias}`,
    ),
  );
  for (const row of rows) {
    let alias: unknown;
    try {
      alias = (JSON.parse(String(row.data)) as { clientIdAlias?: unknown }).clientIdAlias;
    } catch {
      continue;
    }
    if (typeof alias !== 'string' || !USABLE_ALIAS.test(alias) || /^[0-9]+$/.test(alias)) continue;
    const key = `${row.service_id}:${alias}`;
    if (taken.has(key)) continue;
    taken.add(key);
    await db.updateTable('clients').set({ client_id_alias: alias }).where('client_id', '=', row.client_id).execute();
  }
  await db.schema.createIndex('clients_alias_idx').ifNotExists().on('clients').columns(['service_id', 'client_id_alias']).unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('clients_alias_idx').ifExists().execute();
  await db.schema.alterTable('clients').dropColumn('client_id_alias').execute();
}
