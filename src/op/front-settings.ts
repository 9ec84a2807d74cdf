import { DEFAULT_FRONT_LIMITS, type FrontLimitSettings, type FrontSettingsStore } from '../store/ports/front-settings-store.js';

/** How one service's front behaves; set with PUT /admin/services/{id}/front. */
export interface FrontSettings extends FrontLimitSettings {
  /** Where new requests go for the user's decision. */
  /** `embedded`: the embedding program's AuthenticationDevice (createRuntime's option). */
  deviceChannel: 'simulator' | 'webhook' | 'embedded';
  webhookUrl?: string;
  /** Production mode only: the simulator is off unless this is true, and then needs the admin token. */
  simulatorEnabled: boolean;
  /** Binding-message policy: printable characters, at most this many (CIBA §7.1 leaves it to the OP). */
  bindingMessageMaxLength: number;
}

export const DEFAULT_FRONT_SETTINGS: FrontSettings = { deviceChannel: 'simulator', simulatorEnabled: false, bindingMessageMaxLength: 64, ...DEFAULT_FRONT_LIMITS };

export async function loadFrontSettings(store: FrontSettingsStore, serviceId: number): Promise<FrontSettings> {
  const record = await store.getFrontSettings(serviceId);
  return { ...DEFAULT_FRONT_SETTINGS, ...(record?.data as Partial<FrontSettings> | undefined) };
}
