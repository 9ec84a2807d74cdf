// A durable adapter for node-oidc-provider on SQLite (better-sqlite3, WAL, synchronous=NORMAL —
// the settings OpenCIBA uses), written for the benchmark's informative target "node-oidc-provider
// (SQLite adapter)": what the reference implementation costs when, like OpenCIBA, it keeps its
// state where a restart does not lose it. One table for every model, as the library's own
// example adapters do; lookups by grantId, uid and userCode indexed where set.
import Database from 'better-sqlite3';

export function sqliteAdapter(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`
    create table if not exists oidc_models (
      model text not null, id text not null, payload text not null,
      grant_id text, user_code text, uid text, expires_at integer, consumed_at integer,
      primary key (model, id));
    create index if not exists oidc_grant_idx on oidc_models (grant_id) where grant_id is not null;
    create index if not exists oidc_user_code_idx on oidc_models (model, user_code) where user_code is not null;
    create index if not exists oidc_uid_idx on oidc_models (model, uid) where uid is not null;
  `);
  const q = {
    upsert: db.prepare(`insert into oidc_models (model, id, payload, grant_id, user_code, uid, expires_at, consumed_at)
      values (?, ?, ?, ?, ?, ?, ?, null)
      on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id,
        user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at, consumed_at = null`),
    find: db.prepare('select payload, expires_at, consumed_at from oidc_models where model = ? and id = ?'),
    findByUserCode: db.prepare('select payload, expires_at, consumed_at from oidc_models where model = ? and user_code = ?'),
    findByUid: db.prepare('select payload, expires_at, consumed_at from oidc_models where model = ? and uid = ?'),
    consume: db.prepare('update oidc_models set consumed_at = ? where model = ? and id = ?'),
    destroy: db.prepare('delete from oidc_models where model = ? and id = ?'),
    revokeByGrantId: db.prepare('delete from oidc_models where grant_id = ?'),
  };
  const now = () => Math.floor(Date.now() / 1000);
  const payloadOf = (row) => {
    if (!row || (row.expires_at !== null && row.expires_at <= now())) return undefined;
    const payload = JSON.parse(row.payload);
    return row.consumed_at !== null ? { ...payload, consumed: row.consumed_at } : payload;
  };

  return class SqliteAdapter {
    constructor(model) {
      this.model = model;
    }
    async upsert(id, payload, expiresIn) {
      const expiresAt = expiresIn ? now() + expiresIn : null;
      q.upsert.run(this.model, id, JSON.stringify(payload), payload.grantId ?? null, payload.userCode ?? null, payload.uid ?? null, expiresAt);
    }
    async find(id) {
      return payloadOf(q.find.get(this.model, id));
    }
    async findByUserCode(userCode) {
      return payloadOf(q.findByUserCode.get(this.model, userCode));
    }
    async findByUid(uid) {
      return payloadOf(q.findByUid.get(this.model, uid));
    }
    async consume(id) {
      q.consume.run(now(), this.model, id);
    }
    async destroy(id) {
      q.destroy.run(this.model, id);
    }
    async revokeByGrantId(grantId) {
      q.revokeByGrantId.run(grantId);
    }
  };
}
