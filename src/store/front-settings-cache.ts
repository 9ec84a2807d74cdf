import { ShortLivedCache } from '../lib/short-lived-cache.js';
import type { FrontSettingsRecord, FrontSettingsStore, ServiceStore } from './ports.js';

/** How long a node serves the front settings it read: other nodes' changes show within it. */
export const FRONT_SETTINGS_TTL_MS = 2_000;

/**
 * The store with its front settings kept briefly on this node: they are read on every
 * backchannel request and changed rarely. This node's own writes (and a service's deletion)
 * drop the entry at once; `now` ages it (the engine's clock; tests move a manual one).
 */
export function withFrontSettingsCache<S extends FrontSettingsStore & Pick<ServiceStore, 'deleteService'>>(store: S, now: () => number = Date.now): S {
  // A missing record is cached too: most services never set the front's settings.
  const cache = new ShortLivedCache<number, { record: FrontSettingsRecord | undefined }>(FRONT_SETTINGS_TTL_MS, undefined, now);
  /** Runs a change with the entry dropped before it (a read meanwhile may cache the old value) and after. */
  const invalidating = async <T>(serviceId: number, change: () => Promise<T>): Promise<T> => {
    cache.delete(serviceId);
    try {
      return await change();
    } finally {
      cache.delete(serviceId);
    }
  };
  return {
    ...store,
    async getFrontSettings(serviceId: number): Promise<FrontSettingsRecord | undefined> {
      const cached = cache.get(serviceId);
      if (cached) return cached.record;
      const record = await store.getFrontSettings(serviceId);
      cache.set(serviceId, { record });
      return record;
    },
    putFrontSettings: (record: FrontSettingsRecord) => invalidating(record.serviceId, () => store.putFrontSettings(record)),
    deleteService: (apiKey: number) => invalidating(apiKey, () => store.deleteService(apiKey)),
  };
}
