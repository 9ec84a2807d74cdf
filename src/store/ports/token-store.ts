export interface TokenRecord {
  id: string;
  accessTokenDigest: string;
  refreshTokenDigest: string | null;
  serviceId: number;
  clientId: number;
  subject: string | null;
  grantId: string | null;
  grantType: string;
  data: Record<string, unknown>;
  accessExpiresAt: number;
  refreshExpiresAt: number | null;
  createdAt: number;
}

export interface TokenStore {
  insertToken(record: TokenRecord): Promise<void>;
  findTokenByAccessDigest(serviceId: number, digest: string): Promise<TokenRecord | undefined>;
  findTokenByRefreshDigest(serviceId: number, digest: string): Promise<TokenRecord | undefined>;
  /** Replaces the token pair holding `refreshDigest` with `next`, atomically, if it is still unexpired. */
  rotateRefreshToken(serviceId: number, refreshDigest: string, now: number, next: TokenRecord): Promise<boolean>;
  deleteToken(id: string): Promise<boolean>;
  /** Revokes every token issued from one CIBA transaction, unconditionally (see revokeReplayedGrant for a replay). */
  deleteTokensOfGrant(grantId: string): Promise<number>;
  /**
   * Revokes every token issued from one CIBA transaction, only if it was redeemed at or before
   * `redeemedBefore` (an auth_req_id replayed after the grace window); atomic. The count revoked.
   */
  revokeReplayedGrant(grantId: string, redeemedBefore: number): Promise<number>;
}
