import type { Store } from '../store/ports.js';
import type { Clock } from './clock.js';
import type { Keyring } from './crypto/keyring.js';
import type { Random } from './crypto/random.js';

export type Mode = 'development' | 'production';

/** What every engine operation may use: storage, time, randomness, keys and two settings. */
export interface EngineContext {
  store: Store;
  clock: Clock;
  random: Random;
  keyring: Keyring;
  /** Base URL the front is reachable at; a service's default issuer is `{publicUrl}/s/{apiKey}`. */
  publicUrl: string;
  mode: Mode;
}
