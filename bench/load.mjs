// The load generator. undici is not installed in this repository, so requests go through
// node:http with a keep-alive Agent per scenario (maxSockets = concurrency): every worker keeps
// its connection, no connection setup is measured, and a new scenario starts on fresh sockets.
// Each worker runs one operation after another (closed loop) until the round's deadline.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Samples, round1 } from './stats.mjs';
import { residentMiB } from './procs.mjs';

const REQUEST_TIMEOUT_MS = 10_000;
/** A flow that still is not done after this many immediate token retries counts as an error. */
const MAX_TOKEN_ATTEMPTS = 200;

export function send(agent, port, { method, path, headers, body }) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      agent, host: '127.0.0.1', port, method, path,
      headers: { ...headers, 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`timeout after ${REQUEST_TIMEOUT_MS} ms`)));
    req.end(body);
  });
}

function parse(body) {
  try { return JSON.parse(body); } catch { return undefined; }
}

/** Thrown inside an operation to count it as failed, with a short kind for the report. */
class OpError extends Error {
  constructor(kind, detail) {
    super(`${kind}: ${detail}`);
    this.kind = kind;
    this.detail = detail;
  }
}

function expect(kind, res, check) {
  const json = parse(res.body);
  if (res.status !== 200 || !json || !check(json)) {
    throw new OpError(`${kind}:${res.status}:${json?.error ?? 'unexpected'}`, res.body.slice(0, 300));
  }
  return json;
}

/**
 * One measured operation. `flow`: backchannel → approval (if the target needs an HTTP call for it)
 * → token until 200 with an access_token, retrying at once on authorization_pending/slow_down
 * (approval already happened, so waiting `interval` would only measure our sleep).
 * `backchannel`: one backchannel request, answered 200 with an auth_req_id (no approval).
 */
function makeOperation(kind, target, agent, rec) {
  const { requests, port } = target;
  const timed = async (name, spec) => {
    const t = performance.now();
    const res = await send(agent, port, spec);
    rec.latency[name].add(performance.now() - t);
    return res;
  };
  if (kind === 'backchannel') {
    return async () => {
      const res = await timed('backchannel', requests.backchannel());
      // The bare server answers the same shape, so the same check applies to every target.
      expect('backchannel', res, (j) => typeof j.auth_req_id === 'string' && j.auth_req_id.length > 0);
    };
  }
  return async () => {
    const bc = expect('backchannel', await timed('backchannel', requests.backchannel()), (j) => typeof j.auth_req_id === 'string');
    for (let attempt = 1; ; attempt++) {
      const res = await timed('token', requests.token(bc.auth_req_id));
      const json = parse(res.body);
      if (res.status === 200 && json && typeof json.access_token === 'string' && json.access_token) {
        // Same grants on both sides: a refresh token exactly when the run asks for them.
        if ((typeof json.refresh_token === 'string') !== (target.refreshTokens === true)) {
          throw new OpError(`token:200:refresh_token_${target.refreshTokens ? 'missing' : 'unexpected'}`, res.body.slice(0, 300));
        }
        return;
      }
      if (res.status === 400 && (json?.error === 'authorization_pending' || json?.error === 'slow_down') && attempt < MAX_TOKEN_ATTEMPTS) {
        rec.retries += 1;
        rec.retryKinds[json.error] = (rec.retryKinds[json.error] ?? 0) + 1;
        continue;
      }
      throw new OpError(`token:${res.status}:${json?.error ?? 'unexpected'}`, res.body.slice(0, 300));
    }
  };
}

/**
 * Runs `kind` ('flow' | 'backchannel') against `target` with `concurrency` workers for
 * `seconds`. Only operations that finish inside the window count; those in flight at the
 * deadline are awaited (so nothing leaks into the next round) but not counted.
 * `cpuOf(pid)` reads the server's CPU seconds, to tell a saturated server from a slow client.
 */
export async function runScenario({ target, kind, concurrency, seconds, cpuOf, cpuTimes = () => [], cpus = { server: 0, load: 1 } }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const rec = {
    completed: 0,
    completedAll: 0, // including operations that finished after the deadline (for per-CPU figures)
    errors: 0,
    retries: 0,
    errorKinds: {},
    retryKinds: {},
    errorSamples: {},
    latency: { backchannel: new Samples(), token: new Samples(), flow: new Samples() },
  };
  const op = makeOperation(kind, target, agent, rec);
  const windowMs = seconds * 1000;
  const serverCpu0 = cpuOf(target.child.pid);
  // A target on a database server says how to read that server's CPU time (targets/openciba.mjs).
  const dbCpu = target.databaseCpu;
  const databaseCpu0 = dbCpu?.();
  const loadCpu0 = process.cpuUsage();
  const machine0 = cpuTimes();
  const start = performance.now();
  const deadline = start + windowMs;

  const worker = async () => {
    while (performance.now() < deadline) {
      const t = performance.now();
      try {
        await op();
        rec.completedAll += 1;
        const end = performance.now();
        if (end <= deadline) {
          rec.completed += 1;
          if (kind === 'flow') rec.latency.flow.add(end - t);
        }
      } catch (error) {
        rec.errors += 1;
        const k = error instanceof OpError ? error.kind : `network:${error.code ?? error.message}`;
        rec.errorKinds[k] = (rec.errorKinds[k] ?? 0) + 1;
        rec.errorSamples[k] ??= error instanceof OpError ? error.detail : String(error.message);
        // A refused connection would otherwise spin: back off a little after a failure.
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const serverCpu = cpuOf(target.child.pid) - serverCpu0;
  const databaseSeconds = dbCpu ? dbCpu() - databaseCpu0 : undefined;
  const loadCpu = process.cpuUsage(loadCpu0);
  const machine1 = cpuTimes();
  // CPU shares are over the whole time including the in-flight tail, not just the window.
  const elapsedS = (performance.now() - start) / 1000;
  agent.destroy();

  // Work on the two cores that was neither this server nor this load generator (other servers of
  // the benchmark are idle meanwhile, so this is mostly other software on the machine), and steal.
  const loadSeconds = (loadCpu.user + loadCpu.system) / 1e6;
  const other = (cpu, own) => (machine0[cpu] && machine1[cpu]
    ? round1((Math.max(0, machine1[cpu].busy - machine0[cpu].busy - own) / elapsedS) * 100) : undefined);
  const steal = (cpu) => (machine0[cpu] && machine1[cpu] ? round1(((machine1[cpu].steal - machine0[cpu].steal) / elapsedS) * 100) : undefined);

  const latency = {};
  for (const [name, samples] of Object.entries(rec.latency)) {
    if (samples.length) latency[name] = samples.summary();
  }
  return {
    kind,
    concurrency,
    seconds,
    completed: rec.completed,
    perSecond: round1(rec.completed / seconds),
    // Operations per CPU-second the server spent: robust against other work on a shared machine,
    // which lowers perSecond without changing what one request costs.
    perServerCpuSecond: serverCpu > 0 ? round1(rec.completedAll / serverCpu) : undefined,
    // The server's resident memory when the scenario ended (MiB): flat over the rounds, or growing.
    rssMiB: residentMiB(target.child.pid),
    errors: rec.errors,
    errorKinds: rec.errorKinds,
    errorSamples: rec.errorSamples,
    retries: rec.retries,
    retryKinds: rec.retryKinds,
    latency,
    // CPU busy share over the window, 100 = one full core.
    cpu: {
      serverPct: round1((serverCpu / elapsedS) * 100),
      loadGeneratorPct: round1((loadSeconds / elapsedS) * 100),
      otherOnServerCpuPct: other(cpus.server, serverCpu),
      otherOnLoadCpuPct: other(cpus.load, loadSeconds),
      stealServerCpuPct: steal(cpus.server),
      // The database server's processes (PostgreSQL targets), on whichever core they ran.
      ...(databaseSeconds !== undefined ? { databasePct: round1((databaseSeconds / elapsedS) * 100) } : {}),
    },
    // When the load generator's core is the busy one and the server's is not, the figure is the
    // load generator's limit, not the server's — a lower bound for the server.
    loadGeneratorBound: loadSeconds / elapsedS >= 0.9 && serverCpu / elapsedS < 0.9,
  };
}
