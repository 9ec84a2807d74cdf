/** JWT ids seen (client assertions, request objects), for replay detection. */
export interface JtiStore {
  /** Records a JWT id for its lifetime; false when it is already recorded and unexpired (replay). */
  claimJti(scope: string, jti: string, expiresAt: number, now: number): Promise<boolean>;
}
