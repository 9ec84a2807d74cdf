// `node bench/profile.mjs` (after `npm run build`): where does OpenCIBA's time go under the
// benchmark's load? Starts OpenCIBA on SQLite under `node --cpu-prof`, pinned like in the
// benchmark (server CPU 0, this load generator CPU 1), warms it up, then drives two windows —
// full flows at c=32, then backchannel requests only at c=32 — and summarises each window of
// the profile separately (bench/cpuprofile-summary.mjs), leaving start-up and warm-up out.
//
//   BENCH_PROFILE_S   seconds per window (default 15)      BENCH_WARMUP_S  warm-up (default 5)
//   BENCH_CONCURRENCY (default 32)                         DATABASE_URL + BENCH_PROFILE_POSTGRES=1 → PostgreSQL
//   BENCH_PROFILE_LEAN=1: audit trail and metrics off (the lean target), to see where their cost goes
//   BENCH_PROFILE_TARGET=floor: the floor (bench/targets/floor-server.mjs) instead of OpenCIBA — where
//     the least work a durable flow needs goes (with BENCH_PROFILE_POSTGRES=1: the floor on PostgreSQL)
//
// Output: bench/results/profiles/<timestamp>/ with the .cpuprofile (open it in Chrome DevTools
// or speedscope for flame graphs) and summary.txt / summary.json.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { installCleanup, stopAll, freePort, pinSelf, cpuSeconds } from './procs.mjs';
import { startOpenCiba } from './targets/openciba.mjs';
import { startFloor } from './targets/floor.mjs';
import { runScenario } from './load.mjs';
import { summarise, formatSummary } from './cpuprofile-summary.mjs';
import { codeState } from './settings.mjs';

const bail = installCleanup();
const seconds = Number(process.env.BENCH_PROFILE_S) || 15;
const warmup = Number(process.env.BENCH_WARMUP_S ?? 5);
const C = Number(process.env.BENCH_CONCURRENCY) || 32;
const databaseUrl = process.env.BENCH_PROFILE_POSTGRES === '1' ? process.env.DATABASE_URL : undefined;
setTimeout(() => bail(2, 'profile: time limit reached — stopping OpenCIBA'), (warmup + 2 * seconds + 120) * 1000).unref();

const stamp = new Date().toISOString().replace(/:/g, '-');
const dir = fileURLToPath(new URL(`./results/profiles/${stamp}/`, import.meta.url));
mkdirSync(dir, { recursive: true });
pinSelf(1);
// Before OpenCIBA starts: the code it loads is the code described here.
const code = codeState(fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, ''));

// CLOCK_MONOTONIC in µs — the clock V8 stamps profile samples with on Linux.
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

const lean = process.env.BENCH_PROFILE_LEAN === '1';
const floor = process.env.BENCH_PROFILE_TARGET === 'floor';
const target = floor
  ? await startFloor({ port: await freePort(), cpu: 0, databaseUrl, cpuProfDir: dir })
  : await startOpenCiba({ port: await freePort(), cpu: 0, databaseUrl, cpuProfDir: dir, lean });
const windows = {};
try {
  console.error(`profile: ${target.label} pid ${target.child.pid}; warm-up ${warmup} s, then 2 × ${seconds} s at c=${C}`);
  if (warmup > 0) await runScenario({ target, kind: 'flow', concurrency: C, seconds: warmup, cpuOf: cpuSeconds });
  for (const kind of ['flow', 'backchannel']) {
    const from = nowUs();
    const r = await runScenario({ target, kind, concurrency: C, seconds, cpuOf: cpuSeconds });
    windows[kind] = { from, to: nowUs(), perSecond: r.perSecond, errors: r.errors, serverCpuPct: r.cpu.serverPct, latency: r.latency };
    console.error(`profile: ${kind} c=${C}: ${r.perSecond}/s, server CPU ${r.cpu.serverPct} %, errors ${r.errors}`);
  }
} finally {
  await target.stop(); // SIGTERM → OpenCIBA exits normally → V8 writes the profile
  await stopAll();
}

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (!file) {
  console.error(`profile: no .cpuprofile written in ${dir}`);
  process.exit(1);
}
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
const out = [];
const json = { profile: file, target: target.label, code, concurrency: C, seconds, windows: {} };
out.push(`target: ${target.label}`);
out.push(`code: commit ${code.commit?.slice(0, 10)}, ${code.uncommittedSrc.length} uncommitted file(s) under src/ (diff ${code.uncommittedDiffSha256}), dist built ${code.distBuiltAt}\n`);
for (const [kind, w] of Object.entries(windows)) {
  // If the clocks did not line up (not Linux?), fall back to the whole profile and say so.
  const inside = profile.startTime <= w.to && profile.endTime >= w.from;
  const s = summarise(profile, inside ? { from: w.from, to: w.to, top: 30 } : { top: 30 });
  json.windows[kind] = { ...w, wholeProfile: !inside, summary: s };
  out.push(`=== ${kind === 'flow' ? 'full flows' : 'backchannel only'} at c=${C}, ${w.perSecond}/s, server CPU ${w.serverCpuPct} %` +
    `${inside ? '' : ' (WHOLE PROFILE: window clock mismatch)'} ===`);
  out.push(formatSummary(s));
  out.push('');
}
writeFileSync(join(dir, 'summary.txt'), out.join('\n'));
writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(json, null, 2)}\n`);
console.log(out.join('\n'));
console.log(`written: ${dir}`);
process.exit(0);
