// Analysis aid for bench/sql-count.mjs, preloaded (`node --import`) into OpenCIBA on SQLite
// without touching its code: wraps better-sqlite3's Database#prepare so that every statement
// OpenCIBA runs is counted by execution (all/get/run/iterate — OpenCIBA may cache prepared
// statements, so prepares and executions are counted apart), with the time spent compiling
// (prepare) and running it. On SIGUSR2 the totals so far are written to BENCH_SQL_COUNT_FILE, so the
// driver can take a snapshot before and after a batch of requests of one kind.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const require = createRequire(`${process.cwd()}/package.json`);
const Database = require('better-sqlite3');
const byStatement = new Map();
const totals = { statements: 0, prepares: 0, prepareMs: 0, executeMs: 0 };

const prepare = Database.prototype.prepare;
Database.prototype.prepare = function countedPrepare(sql, ...rest) {
  const t = performance.now();
  const stmt = prepare.call(this, sql, ...rest);
  const prepareMs = performance.now() - t;
  // Normalise whitespace; keep the text short enough to read in a table.
  const key = sql.replace(/\s+/g, ' ').slice(0, 160);
  const entry = byStatement.get(key) ?? { count: 0, prepares: 0, prepareMs: 0, executeMs: 0 };
  byStatement.set(key, entry);
  entry.prepares += 1;
  entry.prepareMs += prepareMs;
  totals.prepares += 1;
  totals.prepareMs += prepareMs;
  for (const method of ['all', 'get', 'run', 'iterate']) {
    const original = stmt[method];
    if (typeof original !== 'function') continue;
    stmt[method] = function timed(...args) {
      entry.count += 1;
      totals.statements += 1;
      const t0 = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const ms = performance.now() - t0;
        entry.executeMs += ms;
        totals.executeMs += ms;
      }
    };
  }
  return stmt;
};

process.on('SIGUSR2', () => {
  writeFileSync(process.env.BENCH_SQL_COUNT_FILE, JSON.stringify({ totals, byStatement: Object.fromEntries(byStatement) }));
});
