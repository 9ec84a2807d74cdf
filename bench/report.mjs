// Ratios, goal checks and the printed table. Kept apart from run.mjs so a saved results file can
// be re-printed: `node bench/report.mjs [bench/results/latest.json]`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? Math.round((a / b) * 1000) / 1000 : null);
const get = (results, target, scenario) => results.targets[target]?.scenarios[scenario]?.median;

/** The figures the project's goals are stated in, for OpenCIBA on SQLite (and PostgreSQL if run). */
export function computeRatios(results, C) {
  const of = (openciba) => {
    const o = (s) => get(results, openciba, s);
    const p = (s) => get(results, 'oidc-provider', s);
    const durable = (s) => get(results, 'oidc-provider-sqlite', s);
    const bare = get(results, 'bare', `backchannel_c${C}`);
    return {
      flowsVsOidcProvider: ratio(o(`flows_c${C}`)?.perSecond, p(`flows_c${C}`)?.perSecond),
      backchannelVsNodeLimit: ratio(o(`backchannel_c${C}`)?.perSecond, bare?.perSecond),
      flowP99VsOidcProvider: ratio(o(`flows_c${C}`)?.latency?.flow?.p99, p(`flows_c${C}`)?.latency?.flow?.p99),
      flowsC1VsOidcProvider: ratio(o('flows_c1')?.perSecond, p('flows_c1')?.perSecond),
      backchannelVsOidcProvider: ratio(o(`backchannel_c${C}`)?.perSecond, p(`backchannel_c${C}`)?.perSecond),
      // The same two headline ratios per server CPU-second (what one operation costs), which
      // other load on the machine distorts less than raw throughput (it still shares caches).
      flowsPerCpuVsOidcProvider: ratio(o(`flows_c${C}`)?.perServerCpuSecond, p(`flows_c${C}`)?.perServerCpuSecond),
      backchannelPerCpuVsNodeLimit: ratio(o(`backchannel_c${C}`)?.perServerCpuSecond, bare?.perServerCpuSecond),
      // Informative: against the peer when it too keeps its state durably (its SQLite adapter).
      flowsVsOidcProviderSqlite: ratio(o(`flows_c${C}`)?.perSecond, durable(`flows_c${C}`)?.perSecond),
      flowP99VsOidcProviderSqlite: ratio(o(`flows_c${C}`)?.latency?.flow?.p99, durable(`flows_c${C}`)?.latency?.flow?.p99),
      backchannelVsOidcProviderSqlite: ratio(o(`backchannel_c${C}`)?.perSecond, durable(`backchannel_c${C}`)?.perSecond),
    };
  };
  const ratios = of('openciba-sqlite');
  if (results.targets['openciba-postgres']) ratios.postgres = of('openciba-postgres');
  // The floor (bench/targets/floor-server.mjs): what the goals would need of any durable design,
  // and how much of the floor OpenCIBA reaches — on each database the run has a floor for.
  const floorOf = (floorId, opencibaId) => {
    if (!results.targets[floorId]) return undefined;
    const f = of(floorId);
    const fl = (s) => get(results, floorId, s);
    const o = (s) => get(results, opencibaId, s);
    return {
      vsOidcProvider: f,
      opencibaVsFloor: {
        flowsC1: ratio(o('flows_c1')?.perSecond, fl('flows_c1')?.perSecond),
        flows: ratio(o(`flows_c${C}`)?.perSecond, fl(`flows_c${C}`)?.perSecond),
        flowsPerCpu: ratio(o(`flows_c${C}`)?.perServerCpuSecond, fl(`flows_c${C}`)?.perServerCpuSecond),
        flowP99: ratio(o(`flows_c${C}`)?.latency?.flow?.p99, fl(`flows_c${C}`)?.latency?.flow?.p99),
        backchannel: ratio(o(`backchannel_c${C}`)?.perSecond, fl(`backchannel_c${C}`)?.perSecond),
      },
    };
  };
  const floor = floorOf('floor-sqlite', 'openciba-sqlite');
  if (floor) ratios.floor = floor;
  // OpenCIBA's own stack at its floor: Fastify, and Fastify with the least audit trail (issue 14:
  // the flows/s target with the audit trail on).
  const floorFastify = floorOf('floor-sqlite-fastify', 'openciba-sqlite-lean');
  if (floorFastify) ratios.floorFastify = floorFastify;
  const floorAudit = floorOf('floor-sqlite-fastify-audit', 'openciba-sqlite');
  if (floorAudit) ratios.floorFastifyAudit = floorAudit;
  const floorPostgres = floorOf('floor-postgres', 'openciba-postgres');
  if (floorPostgres) ratios.floorPostgres = floorPostgres;
  if (results.targets['openciba-sqlite-what-if']) ratios.whatIf = of('openciba-sqlite-what-if');
  // What the audit trail and metrics cost: OpenCIBA as shipped ÷ the same with both off (lean).
  if (results.targets['openciba-sqlite-lean']) {
    const full = (s) => get(results, 'openciba-sqlite', s);
    const lean = (s) => get(results, 'openciba-sqlite-lean', s);
    ratios.withObservabilityVsLean = {
      flowsC1: ratio(full('flows_c1')?.perSecond, lean('flows_c1')?.perSecond),
      flows: ratio(full(`flows_c${C}`)?.perSecond, lean(`flows_c${C}`)?.perSecond),
      flowsPerCpu: ratio(full(`flows_c${C}`)?.perServerCpuSecond, lean(`flows_c${C}`)?.perServerCpuSecond),
      flowP99: ratio(full(`flows_c${C}`)?.latency?.flow?.p99, lean(`flows_c${C}`)?.latency?.flow?.p99),
      backchannel: ratio(full(`backchannel_c${C}`)?.perSecond, lean(`backchannel_c${C}`)?.perSecond),
    };
  }
  const goal = (value, test, text) => ({ goal: text, value, met: value === null ? null : test(value) });
  const goals = {
    flows2xOidcProvider: goal(ratios.flowsVsOidcProvider, (v) => v >= 2, `OpenCIBA (SQLite) full flows/s at c=${C} ≥ 2 × oidc-provider`),
    flowP99NoWorse: goal(ratios.flowP99VsOidcProvider, (v) => v <= 1, `OpenCIBA (SQLite) p99 flow latency at c=${C} ≤ oidc-provider's`),
    backchannel30pctOfLimit: goal(ratios.backchannelVsNodeLimit, (v) => v >= 0.3, `OpenCIBA (SQLite) backchannel req/s at c=${C} ≥ 30 % of bare node:http`),
  };
  return { ratios, goals };
}

const fmt = (x, digits = 0) => (typeof x === 'number' ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—');
const lat = (l) => (l && l.n ? `${fmt(l.p50, 2)} / ${fmt(l.p99, 2)}` : '—');

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r, ri) => {
    const line = r.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  ');
    return ri === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  }).join('\n');
}

export function printReport(results, C = results.settings.concurrency[1]) {
  const out = [];
  const m = results.machine;
  out.push(`\nOpenCIBA benchmark — ${results.timestamp}`);
  out.push(`${m.cpuModel}, ${m.cores} cores, Node ${m.node}; load average ${m.loadAverageAtStart.join(' ')} → ${m.loadAverageAtEnd?.join(' ')}`);
  if (results.code) {
    const c = results.code;
    out.push(`code: commit ${c.commit?.slice(0, 10) ?? '?'}${c.uncommittedSrc?.length ? ` + ${c.uncommittedSrc.length} uncommitted file(s) under src/ (diff ${c.uncommittedDiffSha256})` : ', clean src/'}; dist built ${c.distBuiltAt ?? '?'}`);
  }
  out.push(`servers pinned to CPU ${results.settings.serverCpu}, load generator to CPU ${results.settings.loadGeneratorCpu}; ` +
    `warm-up ${results.settings.warmupS} s/target; median of ${results.settings.rounds} interleaved rounds of ${results.settings.roundS} s`);
  out.push('flow = backchannel → approval → token 200. Both approve in-process inside the backchannel request (OpenCIBA: its');
  out.push('embedded authentication device; oidc-provider: triggerAuthenticationDevice). Latencies in ms (p50 / p99).');
  out.push(`client grants: ${results.settings.clientGrants ?? 'not recorded (before both clients were given the same grants: OpenCIBA\'s issued refresh tokens, oidc-provider\'s did not)'}\n`);

  const rows = [['target', 'flows/s c=1', 'flow c=1', `flows/s c=${C}`, `flow c=${C}`, `backchannel/s c=${C}`, `backchannel c=${C}`, 'errors']];
  for (const [id, t] of Object.entries(results.targets)) {
    const s = (name) => t.scenarios[name]?.median;
    const errors = Object.values(t.scenarios).reduce((a, x) => a + x.median.errors, 0);
    rows.push([
      t.label,
      fmt(s('flows_c1')?.perSecond), lat(s('flows_c1')?.latency?.flow),
      fmt(s(`flows_c${C}`)?.perSecond), lat(s(`flows_c${C}`)?.latency?.flow),
      `${fmt(s(`backchannel_c${C}`)?.perSecond)}${s(`backchannel_c${C}`)?.loadGeneratorBound ? ' ≥' : ''}`, lat(s(`backchannel_c${C}`)?.latency?.backchannel),
      errors ? `${errors} ✗` : '0',
    ]);
  }
  out.push(table(rows));
  const bound = Object.values(results.targets).flatMap((t) => Object.entries(t.scenarios)
    .filter(([, x]) => x.median.loadGeneratorBound).map(([name]) => `${t.label} ${name}`));
  if (bound.length) {
    out.push(`≥ load generator bound (its core ≥ 90 % busy, the server's not): ${bound.join('; ')} — a lower bound for the server;`);
    out.push('  see the per-CPU-second figures below for what one request costs it.');
  }

  out.push(`\nPer request kind inside the flows at c=${C} (ms, p50 / p99):`);
  const rows2 = [['target', 'backchannel (incl. approval)', 'token', 'token retries']];
  for (const t of Object.values(results.targets)) {
    const f = t.scenarios[`flows_c${C}`]?.median;
    rows2.push([t.label, lat(f?.latency?.backchannel), lat(f?.latency?.token), f ? fmt(f.retries) : '—']);
  }
  out.push(table(rows2));

  // CPU shares tell a saturated server from a starved one or a slow load generator, and "other"
  // shows what the rest of the machine did on the same cores meanwhile (100 % = one core).
  const sc = results.settings.serverCpu;
  const lc = results.settings.loadGeneratorCpu;
  out.push(`\nCPU use per scenario (median of rounds; 100 % = one core): server | load generator | other work on CPU ${sc} | on CPU ${lc}`);
  const rows3 = [['target', ...[`flows c=1`, `flows c=${C}`, `backchannel c=${C}`]]];
  const cpuCell = (x) => (x ? `${fmt(x.cpu.serverPct)} | ${fmt(x.cpu.loadGeneratorPct)} | ${fmt(x.cpu.otherOnServerCpuPct)} | ${fmt(x.cpu.otherOnLoadCpuPct)}` : '—');
  for (const t of Object.values(results.targets)) {
    rows3.push([t.label, cpuCell(t.scenarios.flows_c1?.median), cpuCell(t.scenarios[`flows_c${C}`]?.median), cpuCell(t.scenarios[`backchannel_c${C}`]?.median)]);
  }
  out.push(table(rows3));

  out.push(`\nOperations per server CPU-second (the cost of one operation; less sensitive to other load than raw rates):`);
  const rows4 = [['target', 'flows c=1', `flows c=${C}`, `backchannel c=${C}`]];
  for (const t of Object.values(results.targets)) {
    const v = (name) => fmt(t.scenarios[name]?.median?.perServerCpuSecond);
    rows4.push([t.label, v('flows_c1'), v(`flows_c${C}`), v(`backchannel_c${C}`)]);
  }
  out.push(table(rows4));

  // Memory: the server's resident set after each round's flows at the high concurrency, and the
  // seconds of load it had taken by then (warm-up included). Flat means no growth under load.
  out.push(`\nServer RSS (MiB) after the flows at c=${C} of each round | seconds of load by the end of that round:`);
  const rows6 = [['target', ...Array.from({ length: results.settings.rounds }, (_, i) => `round ${i + 1}`), 'growth round 1 → last']];
  for (const t of Object.values(results.targets)) {
    const rounds = t.scenarios[`flows_c${C}`]?.rounds ?? [];
    if (rounds.length === 0) continue;
    const cells = rounds.map((r, i) => `${fmt(r.rssMiB, 1)} | ${fmt(results.settings.warmupS + (i + 1) * Object.keys(t.scenarios).length * results.settings.roundS)}`);
    const first = rounds[0]?.rssMiB;
    const last = rounds.at(-1)?.rssMiB;
    rows6.push([t.label, ...cells, typeof first === 'number' && typeof last === 'number' ? `${last >= first ? '+' : ''}${fmt(last - first, 1)} MiB` : '—']);
  }
  out.push(table(rows6));

  // A target on a database server: that server's CPU too, which the server's own figures leave out.
  const withDatabase = Object.values(results.targets).filter((t) => Object.values(t.scenarios).some((s) => s?.median?.cpu?.databasePct !== undefined));
  if (withDatabase.length > 0) {
    out.push(`\nDatabase server CPU (its processes, on any core; 100 % = one core) | database CPU ms per operation:`);
    const rows5 = [['target', 'flows c=1', `flows c=${C}`, `backchannel c=${C}`]];
    const dbCell = (x) => (x?.cpu?.databasePct !== undefined ? `${fmt(x.cpu.databasePct)} | ${fmt(x.cpu.databasePct * 10 / x.perSecond, 2)}` : '—');
    for (const t of withDatabase) rows5.push([t.label, dbCell(t.scenarios.flows_c1?.median), dbCell(t.scenarios[`flows_c${C}`]?.median), dbCell(t.scenarios[`backchannel_c${C}`]?.median)]);
    out.push(table(rows5));
  }

  const r = results.ratios;
  out.push('\nRatios (OpenCIBA on SQLite):');
  out.push(`  full flows/s c=${C}, OpenCIBA ÷ oidc-provider   ${fmt(r.flowsVsOidcProvider, 2)}`);
  out.push(`  p99 flow latency c=${C}, OpenCIBA ÷ oidc-provider ${fmt(r.flowP99VsOidcProvider, 2)}`);
  out.push(`  full flows/s c=1, OpenCIBA ÷ oidc-provider     ${fmt(r.flowsC1VsOidcProvider, 2)}`);
  out.push(`  backchannel/s c=${C}, OpenCIBA ÷ oidc-provider  ${fmt(r.backchannelVsOidcProvider, 2)}`);
  out.push(`  backchannel/s c=${C}, OpenCIBA ÷ bare node:http ${fmt(r.backchannelVsNodeLimit, 2)}`);
  out.push(`  per server CPU-second: flows c=${C} ÷ oidc-provider ${fmt(r.flowsPerCpuVsOidcProvider, 2)}, backchannel c=${C} ÷ bare ${fmt(r.backchannelPerCpuVsNodeLimit, 2)}`);
  if (r.flowsVsOidcProviderSqlite !== null && r.flowsVsOidcProviderSqlite !== undefined) {
    out.push(`  against oidc-provider with its state on SQLite too: flows/s c=${C} ${fmt(r.flowsVsOidcProviderSqlite, 2)}, ` +
      `p99 ${fmt(r.flowP99VsOidcProviderSqlite, 2)}, backchannel/s ${fmt(r.backchannelVsOidcProviderSqlite, 2)}`);
  }
  if (r.postgres) {
    out.push('Ratios (OpenCIBA on PostgreSQL):');
    out.push(`  flows/s c=${C} ÷ oidc-provider ${fmt(r.postgres.flowsVsOidcProvider, 2)}, p99 ÷ oidc-provider ${fmt(r.postgres.flowP99VsOidcProvider, 2)}, ` +
      `backchannel ÷ bare ${fmt(r.postgres.backchannelVsNodeLimit, 2)}`);
  }
  const floors = [
    ['floor', 'SQLite', 'OpenCIBA'],
    ['floorFastify', 'SQLite behind Fastify', 'OpenCIBA lean'],
    ['floorFastifyAudit', 'SQLite behind Fastify with the least audit trail', 'OpenCIBA'],
    ['floorPostgres', 'PostgreSQL', 'OpenCIBA (PostgreSQL)'],
  ];
  for (const [key, name, compared] of floors) {
    const f = r[key];
    if (!f) continue;
    const v = f.vsOidcProvider;
    const o = f.opencibaVsFloor;
    out.push(`The floor on ${name} (bench/targets/floor-server.mjs) ÷ oidc-provider:`);
    out.push(`  flows/s c=${C} ${fmt(v.flowsVsOidcProvider, 2)}, p99 ${fmt(v.flowP99VsOidcProvider, 2)}, flows/s c=1 ${fmt(v.flowsC1VsOidcProvider, 2)}, ` +
      `backchannel/s c=${C} ${fmt(v.backchannelVsOidcProvider, 2)}, per server CPU-second ${fmt(v.flowsPerCpuVsOidcProvider, 2)}`);
    out.push(`  ${compared} ÷ this floor: flows/s c=${C} ${fmt(o.flows, 2)}, c=1 ${fmt(o.flowsC1, 2)}, per CPU-second ${fmt(o.flowsPerCpu, 2)}, ` +
      `p99 ${fmt(o.flowP99, 2)}, backchannel/s ${fmt(o.backchannel, 2)}`);
  }
  if (r.withObservabilityVsLean) {
    const w = r.withObservabilityVsLean;
    out.push('Cost of the audit trail and metrics (OpenCIBA on SQLite as shipped ÷ the same with OPENCIBA_AUDIT_TRAIL=off OPENCIBA_METRICS=off):');
    out.push(`  flows/s c=1 ${fmt(w.flowsC1, 2)}, flows/s c=${C} ${fmt(w.flows, 2)}, per server CPU-second ${fmt(w.flowsPerCpu, 2)}, ` +
      `p99 ${fmt(w.flowP99, 2)}, backchannel/s c=${C} ${fmt(w.backchannel, 2)}`);
  }
  if (r.whatIf) {
    out.push(`What-if (${results.settings.opencibaPreload}), NOT OpenCIBA as shipped:`);
    out.push(`  flows/s c=${C} ÷ oidc-provider ${fmt(r.whatIf.flowsVsOidcProvider, 2)}, p99 ÷ oidc-provider ${fmt(r.whatIf.flowP99VsOidcProvider, 2)}, ` +
      `backchannel ÷ bare ${fmt(r.whatIf.backchannelVsNodeLimit, 2)}; per CPU-second: flows ÷ oidc-provider ${fmt(r.whatIf.flowsPerCpuVsOidcProvider, 2)}`);
  }
  out.push('\nGoals:');
  for (const g of Object.values(results.goals)) {
    out.push(`  ${g.met === null ? '?  ' : g.met ? 'MET' : 'MISSED'}  ${g.goal} (${fmt(g.value, 2)})`);
  }
  if (!results.ok) {
    out.push(`\nTHIS RUN HAD ERRORS (${results.errors}) — its figures are not valid:`);
    for (const t of Object.values(results.targets)) {
      for (const [name, s] of Object.entries(t.scenarios)) {
        for (const [k, n] of Object.entries(s.median.errorKinds ?? {})) {
          out.push(`  ${t.label} ${name}: ${n} × ${k} — e.g. ${s.rounds.find((x) => x.errorSamples[k])?.errorSamples[k]}`);
        }
      }
    }
  }
  console.log(out.join('\n'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] ?? fileURLToPath(new URL('./results/latest.json', import.meta.url));
  printReport(JSON.parse(readFileSync(file, 'utf8')));
}
