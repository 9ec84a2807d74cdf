// A second, independent harness: the same servers as `npm run bench`, measured by wrk (a C load
// generator, Debian package `wrk`) instead of our node:http client, so a figure that depends on
// our load generator shows up as a disagreement between the two. Same pinning (servers on CPU 0,
// wrk on CPU 1), same set-up, same flow (backchannel → in-process approval → token), interleaved
// rounds, medians reported. Run after `npm run build`:
//
//   node bench/wrk/run.mjs                     # oidc-provider, OpenCIBA on SQLite and the floor
//   DATABASE_URL=postgres://… node bench/wrk/run.mjs   # adds OpenCIBA on PostgreSQL
//
// BENCH_WARMUP_S, BENCH_ROUND_S, BENCH_ROUNDS, BENCH_CONCURRENCY, BENCH_TARGETS as for run.mjs.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { installCleanup, stopAll, freePort } from '../procs.mjs';
import { loadSettings, machine, codeState } from '../settings.mjs';
import { startOidcProvider } from '../targets/oidc-provider.mjs';
import { startOpenCiba } from '../targets/openciba.mjs';
import { startFloor } from '../targets/floor.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const script = fileURLToPath(new URL('./ciba.lua', import.meta.url));
const bail = installCleanup();
const settings = loadSettings();
const C = settings.concurrency;
const log = (...a) => console.error(...a);

try {
  execFileSync('wrk', ['--version'], { stdio: 'ignore' });
} catch (error) {
  // wrk --version exits 1 after printing its version; only a missing binary is fatal.
  if (error.code === 'ENOENT') {
    console.error('wrk is not installed (Debian: apt-get install wrk).');
    process.exit(1);
  }
}
if (!existsSync(`${root}/dist/cli/main.js`)) {
  console.error('dist/cli/main.js is missing: run `npm run build` first.');
  process.exit(1);
}

const cpu = settings.serverCpu;
const definitions = [
  { id: 'oidc-provider', start: (port) => startOidcProvider({ port, cpu }) },
  { id: 'openciba-sqlite', start: (port) => startOpenCiba({ port, cpu }) },
  // The floor (bench/targets/floor-server.mjs): bare, and behind Fastify with the least audit trail.
  { id: 'floor-sqlite', start: (port) => startFloor({ port, cpu }) },
  { id: 'floor-sqlite-fastify-audit', start: (port) => startFloor({ port, cpu, fastify: true, audit: true }) },
  ...(settings.postgres ? [{ id: 'openciba-postgres', start: (port) => startOpenCiba({ port, cpu, databaseUrl: process.env.DATABASE_URL }) }] : []),
].filter((d) => settings.only.length === 0 || settings.only.includes(d.id));

const SCENARIOS = { flows_c1: ['flow', 1], [`flows_c${C}`]: ['flow', C], [`backchannel_c${C}`]: ['backchannel', C] };

/** One wrk run; resolves with the script's WRK-RESULT line, plus the rate. */
function wrk(target, mode, connections, seconds) {
  const sample = target.requests.backchannel();
  const token = target.requests.token('x');
  const args = ['-c', String(settings.loadCpu), 'wrk', '-t', String(connections), '-c', String(connections),
    '-d', `${seconds}s`, '--timeout', '10s', '-s', script, `http://127.0.0.1:${target.port}`,
    '--', mode, sample.path, token.path, sample.headers.authorization];
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('WRK-RESULT '));
      if (code !== 0 || !line) return reject(new Error(`wrk failed (${code}):\n${out}`));
      const result = JSON.parse(line.slice('WRK-RESULT '.length));
      resolve({ ...result, perSecond: Math.round(result.completed / result.seconds) });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const targets = [];
const code = codeState(root);
try {
  for (const def of definitions) {
    const handle = await def.start(await freePort());
    targets.push({ ...handle, id: def.id, rounds: {} });
    log(`wrk-bench: ${handle.label} on 127.0.0.1:${handle.port}`);
  }
  for (const t of targets) {
    const smoke = await wrk(t, 'flow', 1, 1);
    if (smoke.completed === 0 || smoke.errors > 0) throw new Error(`${t.label} failed its smoke run: ${JSON.stringify(smoke)}`);
    if (settings.warmupS > 0) await wrk(t, 'flow', C, settings.warmupS);
  }
  for (let round = 1; round <= settings.rounds; round++) {
    for (const t of targets) {
      for (const [name, [mode, c]] of Object.entries(SCENARIOS)) {
        const r = await wrk(t, mode, c, settings.roundS);
        (t.rounds[name] ??= []).push(r);
        log(`wrk-bench: round ${round} ${t.label.padEnd(24)} ${name.padEnd(16)} ${String(r.perSecond).padStart(8)}/s` +
          `  p99 ${r.p99Ms.toFixed(2)} ms${r.errors || r.socketErrors ? `  errors ${r.errors}/${r.socketErrors}` : ''}`);
      }
    }
  }
} catch (error) {
  log(`wrk-bench: ${error.stack ?? error}`);
  await stopAll();
  process.exit(1);
}
await Promise.all(targets.map((t) => t.stop()));
await stopAll();

const summary = Object.fromEntries(targets.map((t) => [t.id, Object.fromEntries(Object.entries(t.rounds).map(([name, rs]) => [name, {
  perSecond: median(rs.map((r) => r.perSecond)),
  p50Ms: median(rs.map((r) => r.p50Ms)),
  p99Ms: median(rs.map((r) => r.p99Ms)),
  errors: rs.reduce((a, r) => a + r.errors, 0),
}]))]));
const reference = summary['oidc-provider'];
console.log(`\n${'target'.padEnd(28)}${Object.keys(SCENARIOS).map((n) => n.padStart(22)).join('')}`);
for (const [id, scenarios] of Object.entries(summary)) {
  const cells = Object.keys(SCENARIOS).map((n) => {
    const s = scenarios[n];
    const ratio = reference && id !== 'oidc-provider' ? ` (${(s.perSecond / reference[n].perSecond).toFixed(2)}×)` : '';
    return `${s.perSecond}/s${ratio}`.padStart(22);
  });
  console.log(`${id.padEnd(28)}${cells.join('')}`);
}
console.log('(per-request wrk latency p50/p99 in the JSON; ratios are each target ÷ oidc-provider)');
const errors = Object.values(summary).flatMap((s) => Object.values(s)).reduce((a, s) => a + s.errors, 0);
const results = { timestamp: new Date().toISOString(), harness: 'wrk', machine: machine(), code, settings, summary, ok: errors === 0 };
mkdirSync(`${root}/bench/results`, { recursive: true });
const file = `${root}/bench/results/${results.timestamp.replace(/:/g, '-')}-wrk.json`;
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
console.log(`written: ${file.slice(root.length + 1)}`);
process.exit(results.ok ? 0 : 1);
void bail;
