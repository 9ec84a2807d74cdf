// Child-process bookkeeping for the benchmark.
//
// Why a module of its own: every server the benchmark starts must die at the end — after a normal
// run, after an exception, on Ctrl-C/SIGTERM and when the overall time limit fires. All children
// are registered here and killed by their own pid (never by name), first with SIGTERM so that
// OpenCIBA can close its database and `--cpu-prof` can write its profile, then with SIGKILL.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync, readdirSync } from 'node:fs';

const children = new Set();
const cleanups = new Set();

/**
 * Registers work to do once the children are stopped (temp dirs, scratch databases) — run by
 * stopAll, so an interrupted run tidies up as a finished one does. Returns an unregister function.
 */
export function onCleanup(fn) {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/**
 * Spawns `command args…` pinned to one CPU with `taskset -c cpu` (taskset execs the command, so
 * child.pid is the server's own pid — the one we read CPU time from and kill).
 * stdin stays a pipe: our servers (and the guard preloaded into OpenCIBA) exit when it closes,
 * so even a SIGKILLed benchmark leaves no orphans behind.
 */
export function spawnPinned(cpu, command, args, { env, cwd, label } = {}) {
  const child = spawn('taskset', ['-c', String(cpu), command, ...args], {
    cwd,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.label = label ?? command;
  child.output = '';
  const keep = (chunk) => {
    // Keep the last 20 kB of output for error messages; servers run with LOG_LEVEL=warn.
    child.output = (child.output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child is gone. */
export async function stopChild(child, graceMs = 5_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try { process.kill(child.pid, 'SIGTERM'); } catch { /* already gone */ }
  const timer = setTimeout(() => { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
  await child.exited;
  clearTimeout(timer);
}

export async function stopAll() {
  await Promise.all([...children].map((c) => stopChild(c)));
  const pending = [...cleanups];
  cleanups.clear();
  await Promise.all(pending.map((fn) => Promise.resolve().then(fn).catch(() => {})));
}

/** Last resort on process exit: synchronous SIGKILL of whatever is still registered. */
function killAllNow() {
  for (const child of children) {
    try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

let onInterrupt = null;
/** Installs handlers once: signals and fatal errors stop every child before the process ends. */
export function installCleanup() {
  process.on('exit', killAllNow);
  const bail = (code, message) => {
    if (onInterrupt) return;
    onInterrupt = true;
    if (message) console.error(message);
    stopAll().finally(() => process.exit(code));
    setTimeout(() => { killAllNow(); process.exit(code); }, 8_000).unref();
  };
  process.on('SIGINT', () => bail(130, '\ninterrupted — stopping servers'));
  process.on('SIGTERM', () => bail(143, 'terminated — stopping servers'));
  process.on('uncaughtException', (err) => bail(1, `fatal: ${err?.stack ?? err}`));
  process.on('unhandledRejection', (err) => bail(1, `fatal: ${err?.stack ?? err}`));
  return bail;
}

/** A port on 127.0.0.1 that is free right now (the OS picks it; we close and hand it over). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Pins this process (all its threads: -a) to one CPU, so the load generator never shares the servers' core. */
export function pinSelf(cpu) {
  try {
    execFileSync('taskset', ['-a', '-cp', String(cpu), String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let CLK_TCK = 100;
try { CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100; } catch { /* Linux default */ }

/** CPU seconds (user+system, all threads) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid) {
  try {
    return statCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return NaN;
  }
}

/**
 * utime + stime of a /proc/<pid>/stat text: fields 14 and 15, after the parenthesised command
 * name; with `reapedChildren`, also cutime + cstime (16 and 17): the CPU of its children that
 * ended and were waited for.
 */
function statCpuSeconds(stat, reapedChildren = false) {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12]) + (reapedChildren ? Number(rest[13]) + Number(rest[14]) : 0)) / CLK_TCK;
}

/** A process's resident set (VmRSS) in MiB, from /proc/<pid>/status; undefined if it is gone. */
export function residentMiB(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return line ? Math.round(Number(line.split(/\s+/)[1]) / 102.4) / 10 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds used so far by every process of this name (`comm`, as `ps -o comm` shows it): the
 * PostgreSQL server's backends, checkpointer and WAL writer are processes named `postgres`, so
 * this is the database's share of a round (only meaningful when nothing else runs a PostgreSQL).
 * A process that ends within the round (an autovacuum worker, a closed connection's backend)
 * takes its CPU with it; the postmaster, its parent, gets it as reaped children's CPU — so the
 * total counts both, and never goes down.
 */
export function cpuSecondsOfCommand(command) {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== command) continue;
      total += statCpuSeconds(stat, true);
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}

/**
 * Busy and steal seconds per CPU since boot, from /proc/stat. The benchmark subtracts its own
 * processes' CPU time to show how much *other* work ran on the pinned cores during a round — on a
 * shared machine that is the first thing to look at when figures move between runs.
 */
export function perCpuTimes() {
  try {
    const lines = readFileSync('/proc/stat', 'utf8').split('\n').filter((l) => /^cpu\d+ /.test(l));
    return lines.map((l) => {
      const [, user, nice, system, , , irq, softirq, steal] = l.split(/\s+/).map(Number);
      return { busy: (user + nice + system + irq + softirq + steal) / CLK_TCK, steal: steal / CLK_TCK };
    });
  } catch {
    return [];
  }
}
