export interface FrontSettingsRecord {
  serviceId: number;
  data: Record<string, unknown>;
  webhookSecretSealed: string | null;
  modifiedAt: number;
}

export interface FrontSettingsStore {
  getFrontSettings(serviceId: number): Promise<FrontSettingsRecord | undefined>;
  putFrontSettings(record: FrontSettingsRecord): Promise<void>;
}

/**
 * The front's limits on user codes and backchannel requests (issue 12): each setting's default and
 * allowed range, one table for the admin API's validation and the front's defaults. No limit can
 * be switched off: the ranges' tops are far above any honest load.
 */
export const FRONT_LIMIT_SETTINGS = {
  /** Wrong user codes for one user, within the window, before user code checks are suspended for that user. */
  userCodeMaxFailuresPerUser: { default: 5, minimum: 1, maximum: 100 },
  /** Wrong user codes from one client, over all users, before that client's user codes are suspended. */
  userCodeMaxFailuresPerClient: { default: 20, minimum: 1, maximum: 100_000 },
  userCodeFailureWindowSeconds: { default: 900, minimum: 1, maximum: 86_400 },
  /** How long the suspension lasts once the maximum is reached. */
  userCodeLockoutSeconds: { default: 900, minimum: 1, maximum: 86_400 },
  /** Requests waiting on one user's authentication device at once (push-bombing). */
  maxPendingRequestsPerUser: { default: 5, minimum: 1, maximum: 1_000 },
  maxRequestsPerMinutePerUser: { default: 10, minimum: 1, maximum: 1_000_000 },
  maxRequestsPerMinutePerClient: { default: 600, minimum: 1, maximum: 1_000_000 },
} as const;

export type FrontLimitSettings = { [K in keyof typeof FRONT_LIMIT_SETTINGS]: number };

export const DEFAULT_FRONT_LIMITS = Object.fromEntries(Object.entries(FRONT_LIMIT_SETTINGS).map(([name, s]) => [name, s.default])) as FrontLimitSettings;
