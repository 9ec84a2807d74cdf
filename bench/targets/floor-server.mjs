// The floor: the least work a durable CIBA poll flow needs on this stack, and nothing more — what
// any design of OpenCIBA could at best reach. node:http (no framework), one client with
// client_secret_basic (compared by digest, in constant time), the user in a Map, approval inside
// the backchannel request (as both real servers are benchmarked), and per flow exactly:
//   backchannel  parse, authenticate, a random auth_req_id, its keyed digest, ONE durable row
//   token        parse, authenticate, find the row, mark it issued (exactly once), a random access
//                token, its keyed digest, ONE durable token row, ONE ES256 ID token
// Every answer waits for the commit of its write, and writes arriving together share one commit
// (group commit, one batch at a time) — a 200 means on disk, as OpenCIBA promises.
// No audit trail, no metrics, no Authlete API, no multi-tenancy, no sealing, no notifications,
// no validation beyond what the benchmark's requests need. It is a yardstick, not a server.
//
// Storage: BENCH_FLOOR_SQLITE=<file> (WAL, synchronous=NORMAL — OpenCIBA's settings) or
// BENCH_FLOOR_PG=<url> (pg, one statement per kind per batch, multi-row, autocommit).
// The floor of OpenCIBA's own stack, to tell the framework's and the audit trail's share apart:
//   BENCH_FLOOR_FASTIFY=1  the same handlers behind Fastify (a string body parser for forms, as
//                          OpenCIBA's front has) instead of bare node:http
//   BENCH_FLOOR_AUDIT=1    (SQLite) a tamper-evident trail at its least: one row per answer, in the
//                          answer's own batch — the events of a backchannel request (received,
//                          user identified, issued, device notified, approved) in one row, the tokens
//                          issued in another — each linked into the service's SHA-256 hash chain
//                          (head read and moved once per batch), indexed by chain position and by
//                          transaction for evidence
import { createServer } from 'node:http';
import { createHash, createHmac, generateKeyPairSync, randomBytes, sign, timingSafeEqual } from 'node:crypto';

const port = Number(process.argv[2]);
const issuer = `http://127.0.0.1:${port}`;
const clientId = process.env.BENCH_CLIENT_ID;
const secretDigest = createHash('sha256').update(process.env.BENCH_CLIENT_SECRET ?? '').digest();
const digestKey = randomBytes(32);
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const users = new Map([['alice', { sub: 'alice' }]]);
const REQUEST_TTL_S = 600;
const TOKEN_TTL_S = 3600;
const header64 = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: 'floor' })).toString('base64url');

const keyed = (value) => createHmac('sha256', digestKey).update(value).digest();
const now = () => Math.floor(Date.now() / 1000);

// ---- storage: a batch of backchannel rows and token issues, committed together ----
const store = process.env.BENCH_FLOOR_PG ? await pgStore(process.env.BENCH_FLOOR_PG) : await sqliteStore(process.env.BENCH_FLOOR_SQLITE);

let queue = [];
let running = false;
let scheduled = false;
function enqueue(kind, item) {
  return new Promise((resolve, reject) => {
    queue.push({ kind, item, resolve, reject });
    if (!running && !scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
}
async function flush() {
  scheduled = false;
  if (running || queue.length === 0) return;
  running = true;
  const batch = queue;
  queue = [];
  try {
    const results = await store.commit(batch.filter((q) => q.kind === 'request').map((q) => q.item),
      batch.filter((q) => q.kind === 'issue').map((q) => q.item));
    for (const q of batch) q.resolve(q.kind === 'issue' ? results.has(q.item.requestDigest.toString('hex')) : true);
  } catch (error) {
    for (const q of batch) q.reject(error);
  } finally {
    running = false;
    if (queue.length > 0) setImmediate(flush);
  }
}

async function sqliteStore(file) {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE IF NOT EXISTS requests (digest BLOB PRIMARY KEY, client_id TEXT NOT NULL, subject TEXT NOT NULL,
             scope TEXT NOT NULL, issued INTEGER NOT NULL DEFAULT 0, expires_at INTEGER NOT NULL) WITHOUT ROWID;
           CREATE TABLE IF NOT EXISTS tokens (digest BLOB PRIMARY KEY, request_digest BLOB NOT NULL, client_id TEXT NOT NULL,
             subject TEXT NOT NULL, scope TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;`);
  const insertRequest = db.prepare('INSERT INTO requests (digest, client_id, subject, scope, expires_at) VALUES (?, ?, ?, ?, ?)');
  const markIssued = db.prepare('UPDATE requests SET issued = 1 WHERE digest = ? AND client_id = ? AND issued = 0 AND expires_at > ?');
  const insertToken = db.prepare('INSERT INTO tokens (digest, request_digest, client_id, subject, scope, expires_at) VALUES (?, ?, ?, ?, ?, ?)');
  const find = db.prepare('SELECT subject, scope, issued, expires_at FROM requests WHERE digest = ? AND client_id = ?');
  const audit = process.env.BENCH_FLOOR_AUDIT === '1' ? sqliteAudit(db) : undefined;
  const commit = db.transaction((requests, issues) => {
    const events = [];
    for (const r of requests) {
      insertRequest.run(r.digest, r.clientId, r.subject, r.scope, r.expiresAt);
      if (audit) events.push({ txn: r.digest, type: 'backchannel.answered', data: { client: r.clientId, subject: r.subject, scope: r.scope, events: ['received', 'user.identified', 'issued', 'device.notified', 'approved'] } });
    }
    const issued = new Set();
    for (const i of issues) {
      if (markIssued.run(i.requestDigest, i.clientId, now()).changes !== 1) continue;
      insertToken.run(i.tokenDigest, i.requestDigest, i.clientId, i.subject, i.scope, i.expiresAt);
      issued.add(i.requestDigest.toString('hex'));
      if (audit) events.push({ txn: i.requestDigest, type: 'tokens.issued', data: { client: i.clientId, subject: i.subject, accessToken: i.tokenDigest.toString('base64url') } });
    }
    if (audit && events.length > 0) audit.append(events);
    return issued;
  });
  return {
    find: async (digest, client) => find.get(digest, client),
    commit: async (requests, issues) => commit.immediate(requests, issues),
  };
}

/** The audit trail at its least (BENCH_FLOOR_AUDIT=1): see the top of this file. */
function sqliteAudit(db) {
  db.exec(`CREATE TABLE IF NOT EXISTS audit (service_id INTEGER NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL, type TEXT NOT NULL,
             txn BLOB NOT NULL, data TEXT NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (service_id, seq)) WITHOUT ROWID;
           CREATE INDEX IF NOT EXISTS audit_txn ON audit (txn);
           CREATE TABLE IF NOT EXISTS audit_head (service_id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, hash BLOB NOT NULL);
           INSERT OR IGNORE INTO audit_head VALUES (1, 0, zeroblob(32));`);
  const head = db.prepare('SELECT seq, hash FROM audit_head WHERE service_id = 1');
  const insert = db.prepare('INSERT INTO audit (service_id, seq, at, type, txn, data, prev_hash, hash) VALUES (1, ?, ?, ?, ?, ?, ?, ?)');
  const move = db.prepare('UPDATE audit_head SET seq = ?, hash = ? WHERE service_id = 1');
  return {
    append(events) {
      let { seq, hash } = head.get();
      const at = Date.now();
      for (const e of events) {
        const data = JSON.stringify(e.data);
        const next = createHash('sha256').update(hash).update(`${seq + 1}|${at}|${e.type}|`).update(e.txn).update(data).digest();
        seq += 1;
        insert.run(seq, at, e.type, e.txn, data, hash, next);
        hash = next;
      }
      move.run(seq, hash);
    },
  };
}

async function pgStore(url) {
  if (process.env.BENCH_FLOOR_AUDIT === '1') throw new Error('BENCH_FLOOR_AUDIT is for the SQLite floor only');
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  await pool.query(`CREATE TABLE IF NOT EXISTS floor_requests (digest bytea PRIMARY KEY, client_id text NOT NULL, subject text NOT NULL,
      scope text NOT NULL, issued boolean NOT NULL DEFAULT false, expires_at bigint NOT NULL);
    CREATE TABLE IF NOT EXISTS floor_tokens (digest bytea PRIMARY KEY, request_digest bytea NOT NULL, client_id text NOT NULL,
      subject text NOT NULL, scope text NOT NULL, expires_at bigint NOT NULL)`);
  // One statement per kind per batch; each commits on its own (a statement is atomic), and the
  // two kinds touch different rows, so they run at once on two connections.
  const insertRequests = {
    name: 'floor-insert-requests',
    text: `INSERT INTO floor_requests (digest, client_id, subject, scope, expires_at)
           SELECT * FROM unnest($1::bytea[], $2::text[], $3::text[], $4::text[], $5::bigint[])`,
  };
  const issueTokens = {
    name: 'floor-issue-tokens',
    text: `WITH wanted AS (SELECT * FROM unnest($1::bytea[], $2::text[], $3::bytea[], $4::bigint[]) AS w(request_digest, client_id, token_digest, expires_at)),
           marked AS (UPDATE floor_requests r SET issued = true FROM wanted w
             WHERE r.digest = w.request_digest AND r.client_id = w.client_id AND NOT r.issued AND r.expires_at > $5
             RETURNING r.digest, r.client_id, r.subject, r.scope)
           INSERT INTO floor_tokens (digest, request_digest, client_id, subject, scope, expires_at)
           SELECT w.token_digest, m.digest, m.client_id, m.subject, m.scope, w.expires_at FROM marked m JOIN wanted w ON w.request_digest = m.digest
           RETURNING request_digest`,
  };
  const find = { name: 'floor-find', text: 'SELECT subject, scope, issued, expires_at FROM floor_requests WHERE digest = $1 AND client_id = $2' };
  return {
    find: async (digest, client) => (await pool.query({ ...find, values: [digest, client] })).rows[0],
    async commit(requests, issues) {
      const issued = new Set();
      await Promise.all([
        requests.length > 0 && pool.query({ ...insertRequests, values: [requests.map((r) => r.digest), requests.map((r) => r.clientId),
          requests.map((r) => r.subject), requests.map((r) => r.scope), requests.map((r) => r.expiresAt)] }),
        issues.length > 0 && pool.query({ ...issueTokens, values: [issues.map((i) => i.requestDigest), issues.map((i) => i.clientId),
          issues.map((i) => i.tokenDigest), issues.map((i) => i.expiresAt), now()] })
          .then((res) => { for (const row of res.rows) issued.add(row.request_digest.toString('hex')); }),
      ]);
      return issued;
    },
  };
}

// ---- HTTP: each handler takes the Authorization header and the form, and answers [status, body] ----
const fail = (status, error) => [status, { error }];

function authenticate(auth) {
  if (typeof auth !== 'string' || !auth.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
  const secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
  const given = createHash('sha256').update(secret).digest();
  return id === clientId && timingSafeEqual(given, secretDigest) ? id : undefined;
}

async function backchannel(authorization, form) {
  const client = authenticate(authorization);
  if (!client) return fail(401, 'invalid_client');
  const scope = form.get('scope') ?? '';
  if (!scope.split(' ').includes('openid')) return fail(400, 'invalid_scope');
  const user = users.get(form.get('login_hint') ?? '');
  if (!user) return fail(400, 'unknown_user_id');
  const authReqId = randomBytes(32).toString('base64url');
  await enqueue('request', { digest: keyed(authReqId), clientId: client, subject: user.sub, scope, expiresAt: now() + REQUEST_TTL_S });
  return [200, { auth_req_id: authReqId, expires_in: REQUEST_TTL_S, interval: 5 }];
}

async function token(authorization, form) {
  const client = authenticate(authorization);
  if (!client) return fail(401, 'invalid_client');
  if (form.get('grant_type') !== 'urn:openid:params:grant-type:ciba') return fail(400, 'unsupported_grant_type');
  const requestDigest = keyed(form.get('auth_req_id') ?? '');
  const row = await store.find(requestDigest, client);
  if (!row || row.issued === 1 || row.issued === true || Number(row.expires_at) <= now()) return fail(400, 'invalid_grant');
  const accessToken = randomBytes(32).toString('base64url');
  const iat = now();
  const payload = Buffer.from(JSON.stringify({ iss: issuer, sub: row.subject, aud: client, iat, exp: iat + TOKEN_TTL_S, auth_time: iat })).toString('base64url');
  const input = `${header64}.${payload}`;
  const idToken = `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  const issued = await enqueue('issue', { requestDigest, clientId: client, tokenDigest: keyed(accessToken), subject: row.subject, scope: row.scope, expiresAt: iat + TOKEN_TTL_S });
  if (!issued) return fail(400, 'invalid_grant'); // another request won the race
  return [200, { access_token: accessToken, token_type: 'Bearer', expires_in: TOKEN_TTL_S, id_token: idToken, scope: row.scope }];
}

const ROUTES = { '/backchannel': backchannel, '/token': token };
const HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };
const failed = (error) => {
  console.error(error);
  return [500, { error: 'server_error' }];
};

if (process.env.BENCH_FLOOR_FASTIFY === '1') {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  for (const [path, handler] of Object.entries(ROUTES)) {
    app.post(path, async (request, reply) => {
      const [status, body] = await handler(request.headers.authorization, new URLSearchParams(String(request.body ?? ''))).catch(failed);
      return reply.code(status).headers(HEADERS).send(body);
    });
  }
  await app.listen({ port, host: '127.0.0.1' });
  console.log(`READY ${port}`);
  process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
} else {
  const server = createServer((req, res) => {
    const route = ROUTES[req.url];
    const reply = ([status, body]) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { ...HEADERS, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (!route || req.method !== 'POST') {
      req.resume();
      return reply(fail(404, 'not_found'));
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      route(req.headers.authorization, new URLSearchParams(Buffer.concat(chunks).toString('utf8'))).catch(failed).then(reply);
    });
  });
  // Node's defaults (keep-alive 5 s), as the other targets get.
  server.listen(port, '127.0.0.1', () => console.log(`READY ${port}`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
}
