import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JWK } from 'jose';
import type { UserRecord, UserStore } from '../../store/ports.js';
import { verifyUserCode } from '../../lib/user-code-hash.js';
import type { BackchannelAuthenticationResponse } from '../../wire/ciba-types.js';
import type { FrontEngine } from '../front-engine.js';
import type { LimitRefusal, UserCodeCheck } from './attempt-limits.js';

export type FailReason = 'UNKNOWN_USER_ID' | 'EXPIRED_LOGIN_HINT_TOKEN' | 'ACCESS_DENIED' | 'INVALID_USER_CODE';

export type Identification = { user: UserRecord } | { reason: FailReason; description: string } | { refusal: LimitRefusal };

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/**
 * Finds the user a USER_IDENTIFICATION answer names (CIBA §7.1): `login_hint` is a subject,
 * email or phone number; `id_token_hint` gives `sub`; `login_hint_token` is a JWT the client
 * signed, whose `sub`, `email` or `phone_number` names the user. Then the user must be active
 * and, where the user has a user code, present it — checked through `checkCode`, which counts
 * the attempts (attempt-limits.ts).
 */
export async function identifyUser(
  store: UserStore,
  engine: FrontEngine,
  serviceId: number,
  answer: BackchannelAuthenticationResponse,
  now: number,
  checkCode: UserCodeCheck,
): Promise<Identification> {
  const hint = String(answer.hint ?? '');
  let user: UserRecord | undefined;
  switch (answer.hintType) {
    case 'LOGIN_HINT':
      user = await store.findUserByHint(serviceId, hint);
      break;
    case 'ID_TOKEN_HINT':
      user = typeof answer.sub === 'string' ? await store.getUser(serviceId, answer.sub) : undefined;
      break;
    case 'LOGIN_HINT_TOKEN': {
      const claim = await loginHintTokenClaim(engine, serviceId, String(answer.clientId ?? ''), hint, now);
      if ('reason' in claim) return claim;
      user = await store.findUserByHint(serviceId, claim.value);
      break;
    }
  }
  if (!user) return { reason: 'UNKNOWN_USER_ID', description: 'No user matches the hint.' };
  if (user.status !== 'active') return { reason: 'ACCESS_DENIED', description: 'The user cannot authenticate at this time.' };

  // The directory holds only the code's salted hash; a value that is not one matches nothing.
  const storedHash = typeof user.data.userCode === 'string' ? user.data.userCode : undefined;
  const given = typeof answer.userCode === 'string' ? answer.userCode : undefined;
  if ((answer.userCodeRequired === true || given !== undefined) && storedHash !== undefined) {
    const checked = given === undefined ? false : await checkCode(user.subject, () => verifyUserCode(given, storedHash));
    if (typeof checked === 'object') return { refusal: checked };
    if (!checked) return { reason: 'INVALID_USER_CODE', description: 'The user code is not correct.' };
  } else if (answer.userCodeRequired === true && storedHash === undefined) {
    return { reason: 'INVALID_USER_CODE', description: 'The user has no user code.' };
  }
  return { user };
}

async function loginHintTokenClaim(engine: FrontEngine, serviceId: number, clientId: string, token: string, now: number): Promise<{ value: string } | { reason: FailReason; description: string }> {
  let keys: JWK[] = [];
  try {
    const client = await engine.client.get({ serviceId: String(serviceId), clientId });
    const jwks = typeof client.jwks === 'string' ? (JSON.parse(client.jwks) as { keys?: JWK[] }) : undefined;
    keys = jwks?.keys ?? [];
  } catch {
    keys = [];
  }
  if (keys.length === 0) return { reason: 'UNKNOWN_USER_ID', description: 'The client has no keys to verify the login_hint_token with.' };
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet({ keys }), { algorithms: ASYMMETRIC, currentDate: new Date(now) });
    const value = [payload.sub, payload.email, payload.phone_number].find((v): v is string => typeof v === 'string' && v !== '');
    return value ? { value } : { reason: 'UNKNOWN_USER_ID', description: 'The login_hint_token names no user.' };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) return { reason: 'EXPIRED_LOGIN_HINT_TOKEN', description: 'The login_hint_token has expired.' };
    return { reason: 'UNKNOWN_USER_ID', description: 'The login_hint_token is not a valid JWT signed by the client.' };
  }
}
