// Benchmark settings, all from the environment so a longer or narrower run needs no code change.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import os from 'node:os';

const num = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return value;
};

export function loadSettings() {
  const settings = {
    warmupS: num('BENCH_WARMUP_S', 10), //         per target, before the first round
    roundS: num('BENCH_ROUND_S', 5), //            per scenario per round
    rounds: num('BENCH_ROUNDS', 3), //             interleaved rounds; the median is reported
    concurrency: num('BENCH_CONCURRENCY', 32), //  the "high" concurrency (the low one is 1)
    serverCpu: num('BENCH_SERVER_CPU', 0), //      every server is pinned here…
    loadCpu: num('BENCH_LOAD_CPU', 1), //          …and the load generator here
    // Optional comma list to run a subset: bare,oidc-provider,openciba-sqlite,openciba-postgres
    only: (process.env.BENCH_TARGETS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    postgres: Boolean(process.env.DATABASE_URL),
    // Both servers' clients get the same grants: the CIBA grant only, or (=1) the CIBA grant and
    // refresh tokens, so every token answer of every server carries a refresh token.
    refreshTokens: process.env.BENCH_REFRESH_TOKENS === '1',
  };
  if (settings.rounds < 1 || settings.roundS <= 0 || settings.concurrency < 1) {
    throw new Error('BENCH_ROUNDS and BENCH_CONCURRENCY must be ≥ 1 and BENCH_ROUND_S > 0');
  }
  return settings;
}

/** The planned measuring time in seconds (without start-up), for the progress line and the time limit. */
export function plannedSeconds(settings, targets) {
  const perRound = targets.reduce((sum, t) => sum + t.scenarios.length * settings.roundS, 0);
  return targets.length * settings.warmupS + settings.rounds * perRound;
}

export function machine() {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) cpuModel = line.split(':').slice(1).join(':').trim();
  } catch { /* not Linux: os.cpus() it is */ }
  return {
    cpuModel,
    cores: os.cpus().length,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/**
 * Which OpenCIBA was measured: the commit, the uncommitted files under src/ and a digest of
 * their diff (two runs with the same digest ran the same code), and when dist/ was built.
 * Figures without this are not comparable — the working tree changes under a running project.
 */
export function codeState(root) {
  const git = (...args) => {
    try { return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }); } catch { return undefined; }
  };
  const status = git('status', '--porcelain', '--', 'src');
  // The digest covers tracked changes and the contents of untracked files under src/.
  const hash = createHash('sha256').update(git('diff', 'HEAD', '--', 'src') ?? '');
  for (const file of (git('ls-files', '--others', '--exclude-standard', '--', 'src') ?? '').split('\n').filter(Boolean).sort()) {
    try { hash.update(file).update(readFileSync(`${root}/${file}`)); } catch { /* vanished meanwhile */ }
  }
  // The newest file in dist/ (tsc may leave unchanged outputs alone, so no single file will do).
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.js')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  try { walk(`${root}/dist`); } catch { /* not built */ }
  const distBuiltAt = newest ? new Date(newest).toISOString() : undefined;
  return {
    commit: git('rev-parse', 'HEAD')?.trim(),
    uncommittedSrc: status ? status.split('\n').filter(Boolean).map((l) => l.trim()) : [],
    uncommittedDiffSha256: hash.digest('hex').slice(0, 16),
    distBuiltAt,
  };
}
