import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { layerViolations } from './layer-rules.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The .ts files under a folder with their text; other files (JSON an import may name) as ''. */
function sourcesUnder(folder: string): Map<string, string> {
  const sources = new Map<string, string>();
  for (const entry of readdirSync(join(root, folder), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    sources.set(relative(root, path).split(sep).join('/'), entry.name.endsWith('.ts') ? readFileSync(path, 'utf8') : '');
  }
  return sources;
}

describe('layers (DESIGN.md "Layers")', () => {
  it('no import under src/ goes against the layer rules', () => {
    const sources = sourcesUnder('src');
    expect(sources.size).toBeGreaterThan(100);
    expect(layerViolations(sources)).toEqual([]);
  });

  describe('the checker itself', () => {
    const sample = (files: Record<string, string>) => layerViolations(new Map(Object.entries(files)));

    it('reports a front file reaching into the engine, with file, line, import and rule', () => {
      expect(
        sample({
          'src/op/endpoint.ts': "import { z } from 'zod';\n\nimport { clock } from '../engine/clock.js';\n",
          'src/engine/clock.ts': 'export const clock = 1;\n',
        }),
      ).toEqual([
        "src/op/endpoint.ts:3 imports '../engine/clock.js' (src/engine/clock.ts) — op → op, sdk, wire, lib and the store's front ports only",
      ]);
    });

    it('sees re-exports, dynamic imports, type-only imports and import types', () => {
      const violations = sample({
        'src/lib/a.ts': "export { b } from '../wire/b.js';\nexport type T = import('../wire/b.js').B;\n",
        'src/wire/b.ts': "export const b = 1; export type B = 1;\nconst store = await import('../store/kysely-store.js');\nimport type { S } from '../store/ports.js';\n",
        'src/store/kysely-store.ts': '',
        'src/store/ports.ts': '',
      });
      expect(violations.map((v) => v.split(' (')[0])).toEqual([
        "src/lib/a.ts:1 imports '../wire/b.js'",
        "src/lib/a.ts:2 imports '../wire/b.js'",
        "src/wire/b.ts:2 imports '../store/kysely-store.js'",
        "src/wire/b.ts:3 imports '../store/ports.js'",
      ]);
    });

    it('ignores text that only looks like an import', () => {
      expect(sample({ 'src/lib/a.ts': "// import x from '../engine/x.js'\nconst s = \"import('../engine/x.js')\";\n" })).toEqual([]);
    });

    it('keeps the engine off the store adapters and the sdk off the engine outside the in-process binding', () => {
      const violations = sample({
        'src/engine/context.ts': "import { openStore } from '../store/open-store.js';\n",
        'src/sdk/in-process.ts': "import { issue } from '../engine/ciba/issue.js';\n",
        'src/sdk/in-process/engine-operations.ts': "import { issue } from '../../engine/ciba/issue.js';\n",
        'src/sdk/http-client.ts': "import { issue } from '../engine/ciba/issue.js';\n",
        'src/store/open-store.ts': '',
        'src/engine/ciba/issue.ts': '',
      });
      expect(violations.map((v) => v.split(' (')[0])).toEqual([
        "src/engine/context.ts:1 imports '../store/open-store.js'",
        "src/sdk/http-client.ts:1 imports '../engine/ciba/issue.js'",
      ]);
    });

    it("judges each name taken from the ports' import point by the port it comes from", () => {
      const violations = sample({
        'src/store/ports.ts': [
          "import type { UserStore } from './ports/user-store.js';",
          "import type { TokenStore } from './ports/token-store.js';",
          "export type { UserRecord } from './ports/user-store.js';",
          "export type { TokenRecord } from './ports/token-store.js';",
          "export type { OutboxRecord } from './ports/outbox-store.js';",
          'export interface EngineStore extends TokenStore {}',
          'export interface FrontStore extends UserStore {}',
          'export interface Store extends EngineStore, FrontStore {}',
        ].join('\n'),
        'src/store/ports/user-store.ts': '',
        'src/store/ports/token-store.ts': '',
        'src/store/ports/outbox-store.ts': '',
        'src/engine/context.ts': "import type { EngineStore, TokenRecord, OutboxRecord } from '../store/ports.js';\nimport type { Store, UserRecord } from '../store/ports.js';\n",
        'src/op/op-context.ts': "import type { FrontStore, UserRecord, OutboxRecord } from '../store/ports.js';\nimport type { EngineStore } from '../store/ports.js';\nimport type { TokenRecord } from '../store/ports/token-store.js';\n",
        'src/api/admin.ts': "import type { Store } from '../store/ports.js';\n",
      });
      expect(violations).toEqual([
        "src/engine/context.ts:2 imports '../store/ports.js' (src/store/ports.ts: Store, UserRecord) — engine → engine, the store's engine ports, wire and lib only",
        "src/op/op-context.ts:2 imports '../store/ports.js' (src/store/ports.ts: EngineStore) — op → op, sdk, wire, lib and the store's front ports only",
        "src/op/op-context.ts:3 imports '../store/ports/token-store.js' (src/store/ports/token-store.ts: TokenRecord) — op → op, sdk, wire, lib and the store's front ports only",
      ]);
    });

    it('reports a relative import that resolves to no file', () => {
      expect(sample({ 'src/lib/a.ts': "import './missing.js';\n" })).toEqual(["src/lib/a.ts:1 imports './missing.js' — it resolves to no file under src/"]);
    });
  });
});
