import { posix } from 'node:path';
import { declaredExports, reExports, scanImports } from './import-scan.js';

/**
 * The layers of DESIGN.md ("Layers") as import rules over paths under `src/`. A file's layer is
 * its first folder. The store's port modules (the types the engine and the front are handed)
 * are told apart from its adapters, and each port is the engine's, the front's, both's, or the
 * whole store's (wiring and housekeeping only). A name taken from the ports' one import point
 * (`store/ports.ts`) counts as the port it comes from, so importing `Store` there is not a way
 * round the rule.
 */
type Zone =
  | 'lib' | 'wire' | 'engine' | 'sdk' | 'op' | 'api' | 'server' | 'cli' | 'root'
  | 'store' | 'engine-port' | 'front-port' | 'shared-port' | 'whole-store-port'
  | 'package' | 'outside';

/**
 * The in-process implementation (`sdk/in-process.ts` and `sdk/in-process/`: the table binding
 * each operation to its engine function, and running it) is the one part of sdk/ that may name
 * the engine; the HTTP client and the typed API never do.
 */
const ENGINE_BINDINGS: readonly RegExp[] = [/^src\/sdk\/in-process\.ts$/, /^src\/sdk\/in-process\//];

/** Port modules under store/ports/ by whose they are; one not listed here is the whole store's. */
const PORT_SIDES: Record<string, Zone> = {
  'meta-store': 'engine-port',
  'service-store': 'engine-port',
  'client-store': 'engine-port',
  'api-token-store': 'engine-port',
  'backchannel-request-store': 'engine-port',
  'token-store': 'engine-port',
  'jti-store': 'engine-port',
  'user-store': 'front-port',
  'front-settings-store': 'front-port',
  'front-request-store': 'front-port',
  'attempt-limit-store': 'front-port',
  'authenticator-store': 'front-port',
  // The engine writes a completion's notification row; the front queues and delivers it.
  'outbox-store': 'shared-port',
  page: 'shared-port',
  // The engine and the front both emit audit events through the sink this port names.
  'audit-event-store': 'shared-port',
};

/** The role-sized ports the one import point declares itself; anything else there is the whole store. */
const DECLARED_PORTS: Record<string, Zone> = { EngineStore: 'engine-port', FrontStore: 'front-port' };

const PORTS_INDEX = 'src/store/ports.ts';

function zoneOf(path: string): Zone {
  if (!path.startsWith('src/')) return 'outside';
  if (path === 'src/index.ts') return 'root';
  if (path === PORTS_INDEX) return 'whole-store-port';
  if (path.startsWith('src/store/ports/')) return PORT_SIDES[posix.basename(path, '.ts')] ?? 'whole-store-port';
  const layer = path.split('/')[1];
  switch (layer) {
    case 'lib': case 'wire': case 'store': case 'engine': case 'sdk': case 'op': case 'api': case 'server': case 'cli':
      return layer;
    default:
      return 'outside';
  }
}

const isPort = (zone: Zone) => zone.endsWith('-port');

/** The zone of one name taken from a port module, following the index's re-exports to their file. */
function portZoneOfName(target: string, name: string, sources: ReadonlyMap<string, string>, files: ReadonlySet<string>): Zone {
  if (target !== PORTS_INDEX || name === '*' || name === 'default') return zoneOf(target);
  const text = sources.get(target) ?? '';
  const from = reExports(target, text).get(name);
  if (from) {
    const next = resolveSpecifier(target, from.specifier, files);
    return next === undefined || next === 'package' ? 'whole-store-port' : zoneOf(next);
  }
  return declaredExports(target, text).has(name) ? (DECLARED_PORTS[name] ?? 'whole-store-port') : 'whole-store-port';
}

const below = (...zones: Zone[]) => new Set<Zone>(['package', ...zones]);
const enginePorts: Zone[] = ['engine-port', 'shared-port'];
const frontPorts: Zone[] = ['front-port', 'shared-port'];
const allPorts: Zone[] = ['engine-port', 'front-port', 'shared-port', 'whole-store-port'];
const storeZones: Zone[] = ['store', ...allPorts];
const everything: Zone[] = ['lib', 'wire', ...storeZones, 'engine', 'sdk', 'op', 'api', 'server'];

interface Rule {
  readonly text: string;
  readonly allowed: ReadonlySet<Zone>;
}

const RULES: Record<string, Rule> = {
  lib: { text: 'lib → nothing of ours outside lib (node:* and npm packages only)', allowed: below('lib') },
  wire: { text: 'wire → wire and lib only', allowed: below('wire', 'lib') },
  store: { text: 'store → store, wire and lib only', allowed: below(...storeZones, 'wire', 'lib') },
  engine: { text: "engine → engine, the store's engine ports, wire and lib only", allowed: below('engine', ...enginePorts, 'wire', 'lib') },
  sdk: { text: 'sdk → sdk, wire and lib only (the engine only from the in-process implementation)', allowed: below('sdk', 'wire', 'lib') },
  'sdk-binding': { text: 'sdk (in-process) → sdk, engine, wire and lib only', allowed: below('sdk', 'engine', 'wire', 'lib') },
  op: { text: "op → op, sdk, wire, lib and the store's front ports only", allowed: below('op', 'sdk', ...frontPorts, 'wire', 'lib') },
  api: { text: "api → api, engine, sdk, wire, lib and the store's ports only", allowed: below('api', 'engine', 'sdk', ...allPorts, 'wire', 'lib') },
  server: { text: 'server → anything but cli', allowed: below(...everything) },
  cli: { text: 'cli → server and below', allowed: below(...everything, 'cli') },
  root: { text: 'src/index.ts → anything', allowed: below(...everything, 'cli', 'root') },
};

function ruleFor(path: string): Rule | undefined {
  const zone = zoneOf(path);
  if (zone === 'sdk' && ENGINE_BINDINGS.some((binding) => binding.test(path))) return RULES['sdk-binding'];
  if (isPort(zone)) return RULES.store;
  return RULES[zone];
}

/** `./x.js` from `src/a/b.ts` → `src/a/x.ts` (or `…/x/index.ts`), as NodeNext resolves our own files. */
export function resolveSpecifier(from: string, specifier: string, files: ReadonlySet<string>): string | 'package' | undefined {
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) return 'package';
  const target = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = [target.replace(/\.js$/, '.ts'), target, `${target}.ts`, `${target}/index.ts`];
  return candidates.find((candidate) => files.has(candidate)) ?? (target.startsWith('src/') ? undefined : target);
}

/**
 * Every import against the rules, one line each: `file:line imports 'specifier' (target) — rule`.
 * `sources` maps paths under the project root to their text; only `.ts` files are scanned.
 */
export function layerViolations(sources: ReadonlyMap<string, string>): string[] {
  const files = new Set(sources.keys());
  const violations: string[] = [];
  for (const [path, text] of sources) {
    if (!path.endsWith('.ts')) continue;
    const rule = ruleFor(path);
    for (const site of scanImports(path, text)) {
      const where = `${path}:${site.line} imports '${site.specifier}'`;
      const target = resolveSpecifier(path, site.specifier, files);
      if (target === undefined) {
        violations.push(`${where} — it resolves to no file under src/`);
        continue;
      }
      if (!rule) {
        violations.push(`${where} — ${path} is in no layer`);
        continue;
      }
      const zone = target === 'package' ? 'package' : zoneOf(target);
      if (target !== 'package' && isPort(zone) && rule.allowed.has('engine-port') !== rule.allowed.has('front-port')) {
        // A one-sided layer: judge each name by the port it belongs to.
        const refused = site.names.filter((name) => !rule.allowed.has(portZoneOfName(target, name, sources, files)));
        if (refused.length > 0) violations.push(`${where} (${target}: ${refused.join(', ')}) — ${rule.text}`);
      } else if (!rule.allowed.has(zone)) {
        violations.push(`${where} (${target === 'package' ? 'a package' : target}) — ${rule.text}`);
      }
    }
  }
  return violations;
}
