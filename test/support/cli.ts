/**
 * The one way tests run the built command line (`dist/`, built by the global setup as `npm start`
 * does): `runCli` for a command that ends, `startServe` for `openciba serve` as its own process.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './ports.js';

export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

/** The environment a user's shell would give the command, and nothing of the test runner's. */
const baseEnv = (): Record<string, string> => ({ PATH: process.env.PATH ?? '' });

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `openciba ARGS…` to its end; never throws, so tests assert the exit status and the message. */
export function runCli(args: string[], env: Record<string, string> = {}, input?: string): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...baseEnv(), ...env },
    encoding: 'utf8',
    ...(input !== undefined ? { input } : { stdio: ['ignore', 'pipe', 'pipe'] }),
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

export interface NodeProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  alive(): boolean;
  /** SIGTERM, then SIGKILL after 10 s; the exit code (null when killed by a signal). */
  stop(): Promise<number | null>;
}

/** Runs `openciba serve ARGS…` on a free loopback port and waits for its banner and `/health`. */
export async function startServe(env: Record<string, string>, args: string[] = []): Promise<NodeProcess> {
  return startCommand([CLI, 'serve', ...args], env);
}

/**
 * `openciba serve` with an embedded authentication device that approves every request inside
 * its backchannel request (test/support/embedded-serve.mjs, as the benchmark's target does).
 */
export const EMBEDDED_SERVE = join(import.meta.dirname, 'embedded-serve.mjs');
export async function startEmbeddedServe(env: Record<string, string>): Promise<NodeProcess> {
  return startCommand([EMBEDDED_SERVE], env);
}

async function startCommand(command: string[], env: Record<string, string>): Promise<NodeProcess> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await startOn(port, env, command);
    } catch (error) {
      // The probed port was taken before the child bound it: start again on another one.
      if (!(error instanceof PortTaken) || attempt >= 5) throw error;
    }
  }
}

class PortTaken extends Error {}

async function startOn(port: number, env: Record<string, string>, command: string[]): Promise<NodeProcess> {
  const child = spawn(process.execPath, command, {
    env: { ...baseEnv(), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      if (output.includes('EADDRINUSE')) throw new PortTaken(output);
      throw new Error(`openciba serve exited with ${child.exitCode}: ${output}`);
    }
    // The banner first: a /health answer alone could come from another process on a taken port.
    if (output.includes('Listening:') && (await fetch(`${url}/health`).then((r) => r.ok, () => false))) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`openciba serve did not start: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    output: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
