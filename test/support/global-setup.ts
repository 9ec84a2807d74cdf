import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startPostgresServer } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

/**
 * Starts one real PostgreSQL server for the whole run (or uses OPENCIBA_TEST_POSTGRES_URL,
 * a server URL with the right to create databases). PostgreSQL tests never skip.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Tests that run the real command line (CLI, several nodes) need the build `npm start` makes.
  const root = join(import.meta.dirname, '..', '..');
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

  const external = process.env.OPENCIBA_TEST_POSTGRES_URL;
  if (external) {
    project.provide('postgresUrl', external);
    return async () => {};
  }
  const server = await startPostgresServer();
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
