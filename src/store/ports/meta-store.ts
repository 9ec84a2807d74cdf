/** Server-wide settings and counters. */
export interface MetaStore {
  /** Reads a server-wide setting. */
  getMeta(name: string): Promise<string | undefined>;
  /** Stores a setting unless one exists; returns the value in force afterwards (first writer wins). */
  putMetaIfAbsent(name: string, value: string): Promise<string>;

  /** Atomically increments a named counter and returns the new value. */
  nextNumber(counter: string): Promise<number>;
}
