export interface ApiTokenRecord {
  serviceId: number | null;
}

/** The organization token and service access tokens of the API, by digest. */
export interface ApiTokenStore {
  addApiToken(digest: string, serviceId: number | null, description: string | null, createdAt: number): Promise<void>;
  findApiToken(digest: string): Promise<ApiTokenRecord | undefined>;
  hasOrganizationToken(): Promise<boolean>;
  /** Revokes a token by its digest; `serviceId` undefined matches any token. */
  deleteApiToken(digest: string, serviceId?: number): Promise<boolean>;
}
