// `node bench/sql-count.mjs` (after `npm run build`): how many SQL statements does OpenCIBA (on
// SQLite) run per request of each kind of a CIBA flow, and how much time goes to compiling
// (prepare) versus running them? Evidence for BENCHMARKS.md's profile section; not part of
// `npm run bench`. N requests of each kind (BENCH_SQL_N, default 200), one at a time, or
// BENCH_SQL_CONCURRENCY at a time (then group commit shares BEGIN/COMMIT between requests).
import http from 'node:http';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { installCleanup, stopAll, freePort, pinSelf, cpuSeconds, onCleanup } from './procs.mjs';
import { startOpenCiba } from './targets/openciba.mjs';
import { send } from './load.mjs';

const bail = installCleanup();
setTimeout(() => bail(2, 'sql-count: time limit reached'), 120_000).unref();
const N = Number(process.env.BENCH_SQL_N) || 200;
const C = Math.max(1, Number(process.env.BENCH_SQL_CONCURRENCY) || 1);
const tmp = mkdtempSync(join(tmpdir(), 'openciba-sqlcount-'));
const countFile = join(tmp, 'counts.json');
onCleanup(() => rmSync(tmp, { recursive: true, force: true }));
pinSelf(1);

const target = await startOpenCiba({
  port: await freePort(),
  cpu: 0,
  preload: fileURLToPath(new URL('./targets/sql-count-preload.mjs', import.meta.url)),
  // BENCH_SQL_LEAN=1: the audit trail and metrics off (the lean target), to count what they add.
  lean: process.env.BENCH_SQL_LEAN === '1',
  extraEnv: { BENCH_SQL_COUNT_FILE: countFile },
});
const agent = new http.Agent({ keepAlive: true, maxSockets: C });
const call = (spec) => send(agent, target.port, spec);

const snapshot = async () => {
  process.kill(target.child.pid, 'SIGUSR2');
  for (let i = 0; i < 300; i++) {
    await new Promise((r) => setTimeout(r, 20));
    try {
      const s = JSON.parse(readFileSync(countFile, 'utf8'));
      rmSync(countFile);
      return s;
    } catch { /* not written yet */ }
  }
  throw new Error('no SQL count snapshot from OpenCIBA');
};

try {
  // Warm-up: a few complete flows so first-use costs (schema, caches, JIT) are out of the way.
  for (let i = 0; i < 300; i++) {
    const bc = JSON.parse((await call(target.requests.backchannel())).body);
    await call(target.requests.token(bc.auth_req_id));
  }
  const ids = [];
  const phases = [
    ['backchannel', async () => { const r = await call(target.requests.backchannel()); ids.push(JSON.parse(r.body).auth_req_id); return r; }],
    ['token', async (i) => call(target.requests.token(ids[i]))],
  ];
  const report = {};
  let before = await snapshot();
  for (const [kind, run] of phases) {
    const t = performance.now();
    const cpu0 = cpuSeconds(target.child.pid);
    let next = 0;
    await Promise.all(Array.from({ length: C }, async () => {
      while (next < N) {
        const r = await run(next++);
        if (r.status !== 200) throw new Error(`${kind} → ${r.status} ${r.body}`);
      }
    }));
    const wallMs = performance.now() - t;
    const serverCpuUs = ((cpuSeconds(target.child.pid) - cpu0) / N) * 1e6;
    const after = await snapshot();
    const statements = Object.entries(after.byStatement).map(([sql, a]) => {
      const b = before.byStatement[sql] ?? { count: 0, prepares: 0, prepareMs: 0, executeMs: 0 };
      return { sql, perRequest: (a.count - b.count) / N, preparesPerRequest: (a.prepares - b.prepares) / N, prepareUs: ((a.prepareMs - b.prepareMs) / N) * 1000, executeUs: ((a.executeMs - b.executeMs) / N) * 1000 };
    }).filter((s) => s.perRequest > 0).sort((x, y) => y.perRequest - x.perRequest || y.prepareUs + y.executeUs - x.prepareUs - x.executeUs);
    report[kind] = {
      wallUsPerRequest: Math.round((wallMs / N) * 1000),
      serverCpuUsPerRequest: Math.round(serverCpuUs),
      statementsPerRequest: (after.totals.statements - before.totals.statements) / N,
      preparesPerRequest: (after.totals.prepares - before.totals.prepares) / N,
      prepareUsPerRequest: Math.round(((after.totals.prepareMs - before.totals.prepareMs) / N) * 1000),
      executeUsPerRequest: Math.round(((after.totals.executeMs - before.totals.executeMs) / N) * 1000),
      statements,
    };
    before = after;
  }
  for (const [kind, r] of Object.entries(report)) {
    console.log(`\n${kind}: ${r.statementsPerRequest} SQL statements run per request (${r.preparesPerRequest} prepared); prepare ${r.prepareUsPerRequest} µs + run ${r.executeUsPerRequest} µs ` +
      `of ${r.serverCpuUsPerRequest} µs server CPU, ${r.wallUsPerRequest} µs wall (${C === 1 ? 'sequential' : `${C} at a time`}; the counting itself adds a little)`);
    for (const s of r.statements) {
      console.log(`  ${s.perRequest.toFixed(2).padStart(5)} ×  prepare ${s.prepareUs.toFixed(0).padStart(4)} µs  run ${s.executeUs.toFixed(0).padStart(4)} µs  ${s.sql}`);
    }
  }
} finally {
  agent.destroy();
  await target.stop();
  await stopAll();
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(0);
