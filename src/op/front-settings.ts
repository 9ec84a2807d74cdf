import { DEFAULT_FRONT_LIMITS, type FrontLimitSettings, type FrontSettingsStore } from '../store/ports/front-settings-store.js';

/** How one service's front behaves; set with PUT /admin/services/{id}/front. */
export interface FrontSettings extends FrontLimitSettings {
  /** Where new requests go for the user's decision. */
  /** `embedded`: the embedding program's AuthenticationDevice (createRuntime's option). */
  /** `authenticator`: the users' enrolled authenticator apps, woken by Web Push ({issuer}/authenticator). */
  deviceChannel: 'simulator' | 'webhook' | 'embedded' | 'authenticator';
  webhookUrl?: string;
  /** Production mode only: the simulator is off unless this is true, and then needs the admin token. */
  simulatorEnabled: boolean;
  /** Binding-message policy: printable characters, at most this many (CIBA §7.1 leaves it to the OP). */
  bindingMessageMaxLength: number;
  /** Authenticator: the user picks the number of the binding message among three before approving. */
  authenticatorNumberMatching: boolean;
  /** Authenticator: after "This wasn't me", new requests from that client for that user are refused this long (0: not at all). */
  authenticatorNotMeSuspensionSeconds: number;
  /** Authenticator: the `acr` of ID tokens for requests approved with a passkey (none when unset). */
  authenticatorAcr?: string;
}

export const DEFAULT_FRONT_SETTINGS: FrontSettings = { deviceChannel: 'simulator', simulatorEnabled: false, bindingMessageMaxLength: 64, authenticatorNumberMatching: false, authenticatorNotMeSuspensionSeconds: 3600, ...DEFAULT_FRONT_LIMITS };

export async function loadFrontSettings(store: FrontSettingsStore, serviceId: number): Promise<FrontSettings> {
  const record = await store.getFrontSettings(serviceId);
  return { ...DEFAULT_FRONT_SETTINGS, ...(record?.data as Partial<FrontSettings> | undefined) };
}
