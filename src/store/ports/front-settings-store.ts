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
