// `npm run bench`: OpenCIBA against node-oidc-provider and a bare node:http server, side by side
// on loopback, in one run. See BENCHMARKS.md for what is measured and why it is measured so.
//
//   servers      each pinned to CPU 0 (taskset -c 0), all started up front on free 127.0.0.1 ports
//   this process the load generator, pinned to CPU 1 — it never competes with a server for a core
//   warm-up      BENCH_WARMUP_S per target (JIT, caches, SQLite page cache) — not reported
//   rounds       BENCH_ROUNDS interleaved rounds (A1 B1 C1 A2 B2 C2 …) of BENCH_ROUND_S per
//                scenario, so a slow minute on a shared machine hits every target alike;
//                the median of the rounds is reported
import { existsSync, mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { resolve } from 'node:path';
import { installCleanup, stopAll, freePort, pinSelf, cpuSeconds, perCpuTimes } from './procs.mjs';
import { loadSettings, plannedSeconds, machine, codeState } from './settings.mjs';
import { runScenario } from './load.mjs';
import { medianOfRounds } from './stats.mjs';
import { startBare } from './targets/bare.mjs';
import { startOidcProvider } from './targets/oidc-provider.mjs';
import { startOpenCiba } from './targets/openciba.mjs';
import { startFloor } from './targets/floor.mjs';
import { computeRatios, printReport } from './report.mjs';

const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const bail = installCleanup();
const settings = loadSettings();
const C = settings.concurrency;

if (!existsSync(`${root}/dist/cli/main.js`)) {
  console.error('dist/cli/main.js is missing: run `npm run build` (npm run bench does it for you).');
  process.exit(1);
}

// Scenario name → what the load generator runs. The bare server has no CIBA flow.
const SCENARIOS = {
  flows_c1: { kind: 'flow', concurrency: 1 },
  [`flows_c${C}`]: { kind: 'flow', concurrency: C },
  [`backchannel_c${C}`]: { kind: 'backchannel', concurrency: C },
};
const ALL = Object.keys(SCENARIOS);

const cpu = settings.serverCpu;
const refreshTokens = settings.refreshTokens;
// What-if experiments: BENCH_OPENCIBA_IMPORT=<module> adds one more target, OpenCIBA on SQLite
// with that module preloaded (`node --import`, e.g. a load hook that patches a dependency in
// memory), measured interleaved with the plain one — a fair A/B in the same conditions.
// Recorded in the results and the label, so such a run is never mistaken for a plain one.
const opencibaImport = process.env.BENCH_OPENCIBA_IMPORT ? resolve(process.env.BENCH_OPENCIBA_IMPORT) : undefined;
// What every measurement gets: the server's CPU time, and the machine's per-CPU counters.
const meter = { cpuOf: cpuSeconds, cpuTimes: perCpuTimes, cpus: { server: settings.serverCpu, load: settings.loadCpu } };
const definitions = [
  { id: 'bare', scenarios: [`backchannel_c${C}`], start: (port) => startBare({ port, cpu }) },
  { id: 'oidc-provider', scenarios: ALL, start: (port) => startOidcProvider({ port, cpu, refreshTokens }) },
  // Informative: the peer with durable state (its ratios are reported, the goals use the in-memory one).
  { id: 'oidc-provider-sqlite', scenarios: ALL, start: (port) => startOidcProvider({ port, cpu, refreshTokens, durable: true }) },
  // The floor: the least work a durable flow needs (floor-server.mjs) — what any design could reach;
  // then the same behind Fastify, and behind Fastify with the least audit trail (OpenCIBA's stack).
  // Without refresh tokens only (it issues none), so it is left out of a refresh-token run.
  ...(refreshTokens ? [] : [
    { id: 'floor-sqlite', scenarios: ALL, start: (port) => startFloor({ port, cpu }) },
    { id: 'floor-sqlite-fastify', scenarios: ALL, start: (port) => startFloor({ port, cpu, fastify: true }) },
    { id: 'floor-sqlite-fastify-audit', scenarios: ALL, start: (port) => startFloor({ port, cpu, fastify: true, audit: true }) },
  ]),
  { id: 'openciba-sqlite', scenarios: ALL, start: (port) => startOpenCiba({ port, cpu, refreshTokens }) },
  // The same without the audit trail and metrics, interleaved with it: their cost as a ratio.
  { id: 'openciba-sqlite-lean', scenarios: ALL, start: (port) => startOpenCiba({ port, cpu, refreshTokens, lean: true }) },
  ...(settings.postgres
    ? [{ id: 'openciba-postgres', scenarios: ALL, start: (port) => startOpenCiba({ port, cpu, refreshTokens, databaseUrl: process.env.DATABASE_URL }) },
      ...(refreshTokens ? [] : [{ id: 'floor-postgres', scenarios: ALL, start: (port) => startFloor({ port, cpu, databaseUrl: process.env.DATABASE_URL }) }])]
    : []),
  ...(opencibaImport
    ? [{ id: 'openciba-sqlite-what-if', scenarios: ALL, start: (port) => startOpenCiba({ port, cpu, refreshTokens, preload: opencibaImport }) }]
    : []),
].filter((d) => settings.only.length === 0 || settings.only.includes(d.id));

const planned = plannedSeconds(settings, definitions);
// Everything stops by itself: the planned time, plus start-up and generous slack.
const limitS = Number(process.env.BENCH_MAX_S) || Math.ceil(planned * 1.5 + 120);
setTimeout(() => bail(2, `time limit of ${limitS} s reached (BENCH_MAX_S) — stopping servers`), limitS * 1000).unref();

const pinned = pinSelf(settings.loadCpu);
const log = (...a) => console.error(...a);
log(`bench: ${definitions.map((d) => d.id).join(', ')} — warm-up ${settings.warmupS} s/target, ` +
  `${settings.rounds} rounds × ${settings.roundS} s/scenario, concurrency 1 and ${C}; ~${Math.round(planned)} s of load` +
  (pinned ? `; servers on CPU ${cpu}, load generator on CPU ${settings.loadCpu}` : '; WARNING: taskset failed, nothing pinned'));
if (!settings.postgres) log('bench: DATABASE_URL not set — OpenCIBA on PostgreSQL is skipped');

const info = machine();
// Taken before the servers start: the code they load is the code described here.
const code = codeState(root);
const targets = [];
try {
  // 1. Start every server up front, each on a port that was free a moment ago.
  for (const def of definitions) {
    const port = await freePort();
    const handle = await def.start(port);
    if (def.id.endsWith('-what-if')) {
      handle.label += ' +what-if';
      handle.key += 'WhatIf';
    }
    targets.push({ ...handle, id: def.id, scenarios: def.scenarios, rounds: {}, warmup: undefined });
    log(`bench: ${handle.label} listening on 127.0.0.1:${port} (pid ${handle.child.pid})`);
  }

  // 2. Smoke test: one complete operation per target before any load, to fail fast and clearly.
  for (const t of targets) {
    const r = await runScenario({ target: t, kind: t.flows ? 'flow' : 'backchannel', concurrency: 1, seconds: 0.3, ...meter });
    if (r.completed === 0 || r.errors > 0) {
      throw new Error(`${t.label} failed its smoke test: ${JSON.stringify(r.errorSamples)}\n${t.child.output.slice(-3000)}`);
    }
  }

  // 3. Warm-up, per target: the high-concurrency flow (or the bare POST) exercises every endpoint.
  for (const t of targets) {
    if (settings.warmupS <= 0) break;
    log(`bench: warm-up ${t.label} (${settings.warmupS} s)`);
    const kind = t.flows ? 'flow' : 'backchannel';
    const r = await runScenario({ target: t, kind, concurrency: C, seconds: settings.warmupS, ...meter });
    t.warmup = { kind, perSecond: r.perSecond, errors: r.errors, errorKinds: r.errorKinds };
  }

  // 4. Interleaved rounds.
  for (let round = 1; round <= settings.rounds; round++) {
    for (const t of targets) {
      for (const name of t.scenarios) {
        const s = SCENARIOS[name];
        const r = await runScenario({ target: t, kind: s.kind, concurrency: s.concurrency, seconds: settings.roundS, ...meter });
        (t.rounds[name] ??= []).push(r);
        log(`bench: round ${round} ${t.label.padEnd(24)} ${name.padEnd(16)} ${String(r.perSecond).padStart(9)}/s` +
          `  server CPU ${r.cpu.serverPct}%  load gen CPU ${r.cpu.loadGeneratorPct}%` +
          `  other load CPU${cpu} ${r.cpu.otherOnServerCpuPct}% CPU${settings.loadCpu} ${r.cpu.otherOnLoadCpuPct}%${r.errors ? `  ERRORS ${r.errors}` : ''}`);
      }
    }
  }
} catch (error) {
  log(`bench: ${error.stack ?? error}`);
  await stopAll();
  process.exit(1);
}

// 5. Stop everything before reporting — the report must not wait on a server that hangs.
await Promise.all(targets.map((t) => t.stop()));
await stopAll();

const results = {
  timestamp: new Date().toISOString(),
  machine: { ...info, loadAverageAtEnd: os.loadavg().map((x) => Math.round(x * 100) / 100) },
  code,
  settings: {
    warmupS: settings.warmupS,
    roundS: settings.roundS,
    rounds: settings.rounds,
    concurrency: [1, C],
    serverCpu: cpu,
    loadGeneratorCpu: settings.loadCpu,
    pinned,
    loadGenerator: 'node:http keep-alive Agent (undici not installed), closed loop, one process',
    flowDefinition: 'backchannel request → approval → token request until 200 with access_token; ' +
      'authorization_pending/slow_down retried at once and counted. Both approve in-process inside the backchannel ' +
      'request: OpenCIBA through its embedded authentication device (decide("allow")), oidc-provider in ' +
      'triggerAuthenticationDevice (saves a Grant and calls backchannelResult).',
    statistic: 'median of the interleaved rounds (latency: median of the per-round p50/p99)',
    clientGrants: refreshTokens ? 'CIBA and refresh_token on both servers: every token answer carries a refresh token' : 'CIBA only on both servers: no refresh tokens',
    ...(opencibaImport ? { opencibaPreload: opencibaImport, whatIf: true } : {}),
  },
  targets: Object.fromEntries(targets.map((t) => [t.id, {
    label: t.label,
    warmup: t.warmup,
    scenarios: Object.fromEntries(Object.entries(t.rounds).map(([name, rounds]) => [name, {
      median: medianOfRounds(rounds),
      rounds,
    }])),
  }])),
};
results.errors = Object.values(results.targets)
  .flatMap((t) => Object.values(t.scenarios).map((s) => s.median.errors))
  .reduce((a, b) => a + b, 0);
results.ok = results.errors === 0;
Object.assign(results, computeRatios(results, C));

const dir = `${root}/bench/results`;
mkdirSync(dir, { recursive: true });
// A what-if run never replaces latest.json (the run BENCHMARKS.md describes).
const file = `${dir}/${results.timestamp.replace(/:/g, '-')}${opencibaImport ? '-what-if' : ''}.json`;
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
if (!opencibaImport) copyFileSync(file, `${dir}/latest.json`);

printReport(results, C);
console.log(`\nwritten: ${file.slice(root.length + 1)}${opencibaImport ? '' : ' and bench/results/latest.json'}`);
process.exit(results.ok ? 0 : 1);
