import type { Random } from './random.js';

let lastMs = 0;
let sequence = 0;

/**
 * A row key that sorts in creation order within a node: the time in milliseconds, a counter for
 * keys of the same millisecond, and `randomBytes` of CSPRNG output so that two nodes never
 * collide. Across nodes the order is the clocks' (good to the skew between them).
 *
 * Why not a random key: every B-tree entry under a random key lands on a leaf page of its own,
 * and each page a transaction dirties is written to the WAL (and again at the checkpoint), so a
 * random primary key costs a page per row; keys that grow with time fill the rightmost leaf
 * together. Such a key is no secret and no handle: nothing is found or allowed by it alone.
 */
export function orderedId(at: number, random: Random, randomBytes = 9): string {
  if (at === lastMs) sequence++;
  else {
    lastMs = at;
    sequence = 0;
  }
  return `${String(Math.max(0, Math.floor(at))).padStart(15, '0')}-${String(sequence % 1e6).padStart(6, '0')}-${random.token(randomBytes)}`;
}

const ORDERED = /^\d{15}-\d{6}-[A-Za-z0-9_-]+$/;

/** Whether `id` is one of orderedId's (rows stored before it existed have random keys). */
export function isOrderedId(id: string): boolean {
  return ORDERED.test(id);
}
