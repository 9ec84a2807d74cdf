import type { Kysely } from 'kysely';

// Custom client id aliases (Authlete's `clientIdAlias`), indexed so a client can present its
// alias as `client_id`. Backfilled from the stored client JSON; where two clients of a service
// claimed the same alias (nothing enforced it before), the older one keeps it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('client_id_alias', 'varchar(255)').execute();
  const rows = await db.selectFrom('clients').select(['client_id', 'service_id', 'data']).orderBy('number').execute();
  const taken = new Set<string>();
  for (const row of rows) {
    let alias: unknown;
    try {
      alias = (JSON.parse(String(row.data)) as { clientIdAlias?: unknown }).clientIdAlias;
    } catch {
      continue;
    }
    if (typeof alias !== 'string' || alias === '' || alias === String(row.client_id)) continue;
    const key = `${row.service_id}:${alias}`;
    if (taken.has(key)) continue;
    taken.add(key);
    await db.updateTable('clients').set({ client_id_alias: alias }).where('client_id', '=', row.client_id).execute();
  }
  await db.schema.createIndex('clients_alias_idx').on('clients').columns(['service_id', 'client_id_alias']).unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('clients_alias_idx').ifExists().execute();
  await db.schema.alterTable('clients').dropColumn('client_id_alias').execute();
}
