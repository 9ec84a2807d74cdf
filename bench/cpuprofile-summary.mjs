// Summarises a V8 .cpuprofile (from `node --cpu-prof`): where the time goes, by function (self
// time), by module (self time — a package under node_modules, a directory of OpenCIBA's dist/,
// a node: internal), and inclusive time by module (time with that module anywhere on the stack).
// Native frames (no URL: C++ bindings such as better-sqlite3's statement.run or crypto's sign)
// are charged to the nearest JavaScript caller's module with " (native)" appended, so "kysely
// (native)" would mean C++ entered from Kysely code.
//
//   node bench/cpuprofile-summary.mjs file.cpuprofile [--from µs --to µs] [--top N]
//
// --from/--to restrict to samples in a window, in the profile's own clock (CLOCK_MONOTONIC µs on
// Linux, the same clock as process.hrtime in any other process) — bench/profile.mjs uses this to
// leave start-up and warm-up out.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SPECIAL = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);

function moduleOf(url) {
  if (!url) return undefined;
  if (url.startsWith('node:')) {
    // node:internal/http, node:internal/streams/… → "node:http", "node:streams"
    const parts = url.slice(5).split('/');
    return `node:${parts[0] === 'internal' ? (parts[1] ?? 'internal').replace(/\.js$/, '') : parts[0]}`;
  }
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 14).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = path.indexOf('/dist/');
  if (dist >= 0) {
    // OpenCIBA's own code, by directory: "openciba op/endpoints", "openciba engine/tokens"…
    const rest = path.slice(dist + 6).split('/');
    return `openciba ${rest.slice(0, -1).join('/') || rest[0]}`;
  }
  if (path.includes('/bench/')) return 'bench';
  return path;
}

function shortUrl(url) {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + 14);
  const dist = path.indexOf('/dist/');
  if (dist >= 0) return path.slice(dist + 1);
  return path;
}

export function summarise(profile, { from, to, top = 25 } = {}) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // Each node's module and function key, resolving native frames to their JS caller's module.
  const info = new Map();
  const resolve = (id) => {
    if (info.has(id)) return info.get(id);
    const n = byId.get(id);
    const { functionName, url, lineNumber } = n.callFrame;
    const name = functionName || '(anonymous)';
    let module;
    if (SPECIAL.has(name) && !url) module = name;
    else if (url) module = moduleOf(url);
    else {
      const p = parent.get(id);
      const up = p !== undefined ? resolve(p).module : '(native)';
      module = up.endsWith(' (native)') || SPECIAL.has(up) ? up : `${up} (native)`;
    }
    const key = url ? `${name}  ${shortUrl(url)}:${lineNumber + 1}` : `${name}  [native, in ${module.replace(/ \(native\)$/, '')}]`;
    const result = { module, key };
    info.set(id, result);
    return result;
  };

  const self = new Map();
  const selfModule = new Map();
  const inclusiveModule = new Map();
  const inclusiveOwn = new Map();
  let total = 0;
  let t = profile.startTime;
  const add = (map, key, d) => map.set(key, (map.get(key) ?? 0) + d);
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if ((from !== undefined && t < from) || (to !== undefined && t > to)) continue;
    // The time a sample stands for is the gap to the next sample.
    const d = profile.timeDeltas[i + 1] ?? 0;
    const id = profile.samples[i];
    const { module, key } = resolve(id);
    if (module === '(idle)') continue; // an idle server is not a cost
    total += d;
    add(self, key, d);
    add(selfModule, module, d);
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const { module: m, key: k } = resolve(cur);
      // OpenCIBA's own functions, inclusive: which step of the request costs what.
      if (m.startsWith('openciba ') && !m.endsWith('(native)') && !seen.has(k)) {
        seen.add(k);
        add(inclusiveOwn, k, d);
      }
      // node:process is the microtask pump at the bottom of every async stack — not a cost centre.
      if (m === '(root)' || m.startsWith('node:process') || seen.has(m)) continue;
      seen.add(m);
      add(inclusiveModule, m, d);
    }
  }
  const rank = (map) => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, pct: Math.round((us / total) * 1000) / 10 }));
  return {
    busyMs: Math.round(total / 1000),
    selfByFunction: rank(self),
    selfByModule: rank(selfModule),
    inclusiveByModule: rank(inclusiveModule),
    inclusiveOpenCibaFunctions: rank(inclusiveOwn),
  };
}

export function formatSummary(s, title = '') {
  const lines = [];
  const list = (heading, rows) => {
    lines.push(`\n${heading}`);
    for (const r of rows) lines.push(`  ${String(r.pct.toFixed(1)).padStart(5)} %  ${String(r.ms.toFixed(0)).padStart(7)} ms  ${r.name}`);
  };
  lines.push(`${title}busy (non-idle) CPU time sampled: ${s.busyMs} ms`);
  list('Self time by module:', s.selfByModule);
  list('Inclusive time by module (module anywhere on the stack):', s.inclusiveByModule);
  list('Top self-time functions:', s.selfByFunction);
  if (s.inclusiveOpenCibaFunctions.length) list("OpenCIBA's own functions, inclusive (callees included; async callers only as far as V8's stack goes):", s.inclusiveOpenCibaFunctions);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : undefined; };
  const file = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
  if (!file) {
    console.error('usage: node bench/cpuprofile-summary.mjs file.cpuprofile [--from µs --to µs] [--top N]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  console.log(formatSummary(summarise(profile, { from: opt('--from'), to: opt('--to'), top: opt('--top') ?? 25 })));
}
