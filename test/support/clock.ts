import type { Clock } from '../../src/lib/clock.js';

/**
 * The one clock tests move by hand. Servers, stores, dispatchers and caches take a `Clock`;
 * a test hands them this one and calls `advance` instead of sleeping.
 */
export class ManualClock implements Clock {
  constructor(public current = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
