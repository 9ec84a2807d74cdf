export interface BackoffOptions {
  /** Delay after the first failed attempt. */
  baseMs?: number;
  /** No delay is ever longer than this. */
  maxMs?: number;
  /**
   * Fraction of the nominal delay that jitter may take off (0 … 1). The nominal delay is the
   * upper bound, so a retry never comes later than the documented schedule, and rows that
   * failed together spread out instead of retrying in lockstep.
   */
  jitter?: number;
  /** A number in [0, 1); injected so tests get exact delays. */
  random?: () => number;
}

export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_MAX_MS = 60_000;
export const BACKOFF_JITTER = 0.2;

/**
 * Milliseconds to wait after `attempts` failed attempts (1 after the first): nominally
 * 1 s, 2 s, 4 s, … capped at 60 s, each shortened by up to 20 % at random.
 */
export function backoffDelay(attempts: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? BACKOFF_BASE_MS;
  const max = options.maxMs ?? BACKOFF_MAX_MS;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? BACKOFF_JITTER));
  const random = options.random ?? Math.random;
  // The exponent is clamped so that huge attempt counts cannot overflow to Infinity.
  const exponent = Math.min(Math.max(0, Math.floor(attempts) - 1), 52);
  const nominal = Math.min(max, base * 2 ** exponent);
  const draw = Math.min(1, Math.max(0, random()));
  return Math.max(0, Math.round(nominal * (1 - jitter * draw)));
}
