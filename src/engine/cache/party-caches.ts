import type { EngineStore } from '../../store/ports.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import { ShortLivedCache } from '../../lib/short-lived-cache.js';

/**
 * Services and clients are read on every protocol request, and each read also unseals keys or
 * a secret. They change rarely, so each node keeps what it read for two seconds.
 */
export const PARTY_TTL_MS = 2_000;

export interface PartyCaches<S, C> {
  services: ShortLivedCache<number, S>;
  /** Keyed by `serviceId:clientId`. */
  clients: ShortLivedCache<string, C>;
}

const byStore = new WeakMap<EngineStore, PartyCaches<unknown, unknown>>();

/** The caches of one store (one per process and database), aged by the engine's clock. */
export function partyCaches<S, C>(store: EngineStore, clock: Clock = systemClock): PartyCaches<S, C> {
  let caches = byStore.get(store);
  if (!caches) {
    const now = () => clock.now();
    caches = { services: new ShortLivedCache(PARTY_TTL_MS, undefined, now), clients: new ShortLivedCache(PARTY_TTL_MS, undefined, now) };
    byStore.set(store, caches);
  }
  return caches as PartyCaches<S, C>;
}

/** After a local change to a service (or its deletion): forget it and its clients. */
export function forgetService(store: EngineStore, serviceId: number): void {
  const caches = byStore.get(store);
  caches?.services.delete(serviceId);
  caches?.clients.deleteWhere((key) => key.startsWith(`${serviceId}:`));
}

export function forgetClient(store: EngineStore, serviceId: number, clientId: number): void {
  byStore.get(store)?.clients.delete(`${serviceId}:${clientId}`);
}
