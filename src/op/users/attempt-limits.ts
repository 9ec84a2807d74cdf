import type { AttemptClaim, AttemptLimitStore } from '../../store/ports.js';
import type { FrontLimitSettings } from '../../store/ports/front-settings-store.js';
import type { OpLog } from '../op-context.js';

/** What the limits run on: the shared counters (so every node sees the same), the time, the log. */
export interface LimitsContext {
  store: AttemptLimitStore;
  now(): number;
  log: OpLog;
}

/** A backchannel request the front refuses before it reaches the user, answered with 429 and Retry-After. */
export interface LimitRefusal {
  refused: true;
  error: string;
  description: string;
  retryAfterSeconds: number;
}

const MINUTE_MS = 60_000;
/**
 * How long a place under the pending cap is held without its device request row: a node that
 * dies between the check and the row frees the place after this, not never.
 */
const PENDING_HOLD_MS = 60_000;

const retryAfter = (retryAt: number, now: number) => Math.max(1, Math.ceil((retryAt - now) / 1000));

/**
 * Too many requests: RFC 6585 §4 (429, with Retry-After). CIBA §13 has no error code for it; the
 * body says `slow_down`, the registered OAuth code for "you are asking too often" (RFC 8628
 * §3.5), which CIBA clients already know from the token endpoint (CIBA §11).
 */
function tooMany(description: string, retryAt: number, now: number): LimitRefusal {
  return { refused: true, error: 'slow_down', description, retryAfterSeconds: retryAfter(retryAt, now) };
}

/**
 * A user code check while the user or the client is locked out. Status 429 (RFC 6585 §4: too many
 * attempts in a given time; Retry-After says when the cool-down ends) with CIBA §13's
 * `access_denied`: the OP refuses this request and it must not be retried as it is. Not
 * `invalid_user_code`, which would tell a user who typed the right code that it was wrong; the
 * same answer whatever the code, so the lockout reveals nothing about it.
 */
function lockedOut(retryAt: number, now: number): LimitRefusal {
  return { refused: true, error: 'access_denied', description: 'Too many wrong user codes: user codes are not checked for now.', retryAfterSeconds: retryAfter(retryAt, now) };
}

const scopes = {
  codeOfUser: (serviceId: number, subject: string) => `code-user:${serviceId}:${subject}`,
  codeOfClient: (serviceId: number, clientId: string) => `code-client:${serviceId}:${clientId}`,
  requestsOfUser: (serviceId: number, subject: string) => `rate-user:${serviceId}:${subject}`,
  requestsOfClient: (serviceId: number, clientId: string) => `rate-client:${serviceId}:${clientId}`,
};

/** Checks a user code as `verify` does, unless the user or the client is locked out; true, false, or the refusal. */
export type UserCodeCheck = (subject: string, verify: () => Promise<boolean>) => Promise<boolean | LimitRefusal>;

/**
 * Counts user code checks per user and per client (CIBA §7.1 leaves brute force to the OP). Each
 * check takes its place before the code is compared, so concurrent guesses cannot pass the limit;
 * a right code gives the places back (the user's counter starts again). The check that reaches
 * the limit with a wrong code starts the lockout and logs it as a security event (never the code).
 */
export function userCodeCheck(ctx: LimitsContext, settings: FrontLimitSettings, serviceId: number, clientId: string): UserCodeCheck {
  const windowMs = settings.userCodeFailureWindowSeconds * 1000;
  const lockMs = settings.userCodeLockoutSeconds * 1000;
  return async (subject, verify) => {
    const now = ctx.now();
    const userScope = scopes.codeOfUser(serviceId, subject);
    const clientScope = scopes.codeOfClient(serviceId, clientId);
    const user = await ctx.store.claimAttempt(userScope, serviceId, settings.userCodeMaxFailuresPerUser, windowMs, now);
    if (!user.granted) return lockedOut(user.retryAt, now);
    const client = await ctx.store.claimAttempt(clientScope, serviceId, settings.userCodeMaxFailuresPerClient, windowMs, now);
    if (!client.granted) {
      await ctx.store.releaseAttempt(userScope);
      return lockedOut(client.retryAt, now);
    }
    if (await verify()) {
      await ctx.store.clearAttempts(userScope);
      await ctx.store.releaseAttempt(clientScope);
      return true;
    }
    const lock = async (scope: string, claim: AttemptClaim & { granted: true }, limit: number, details: Record<string, unknown>) => {
      if (claim.hits < limit || !(await ctx.store.lockAttempts(scope, limit, now + lockMs, now))) return;
      ctx.log.warn({ event: 'user_code_lockout', serviceId, ...details, failures: limit, lockedForSeconds: settings.userCodeLockoutSeconds }, 'security: too many wrong user codes, user code checks suspended');
    };
    await lock(userScope, user, settings.userCodeMaxFailuresPerUser, { subject, clientId });
    await lock(clientScope, client, settings.userCodeMaxFailuresPerClient, { clientId });
    return false;
  };
}

/** A refusal's log line: the operator's count of refused requests (there is no metrics registry yet). */
function logged(ctx: LimitsContext, refusal: LimitRefusal, details: Record<string, unknown>): LimitRefusal {
  ctx.log.warn({ event: 'backchannel_request_limited', ...details, retryAfterSeconds: refusal.retryAfterSeconds }, 'backchannel request refused: limit reached');
  return refusal;
}

/** The client's requests per minute (fixed one-minute windows, shared by all nodes). */
export async function claimClientRequest(ctx: LimitsContext, settings: FrontLimitSettings, serviceId: number, clientId: string): Promise<LimitRefusal | undefined> {
  const now = ctx.now();
  const claim = await ctx.store.claimAttempt(scopes.requestsOfClient(serviceId, clientId), serviceId, settings.maxRequestsPerMinutePerClient, MINUTE_MS, now);
  if (claim.granted) return undefined;
  return logged(ctx, tooMany('The client has sent too many backchannel requests; retry later.', claim.retryAt, now), { serviceId, clientId, limit: 'maxRequestsPerMinutePerClient' });
}

/**
 * A place under a user's cap on pending requests, held while the request is issued. The device
 * request's row takes it over in the write that stores it (createFrontRequest with `id`, then
 * `takenOver()`); `release()` frees a place nothing took over (the request failed on the way).
 */
export interface RequestPlace {
  readonly id: string;
  takenOver(): void;
  release(): Promise<void>;
}

/** The user's requests per minute, then a place under the user's cap on pending requests. */
export async function claimUserRequest(
  ctx: LimitsContext,
  settings: FrontLimitSettings,
  serviceId: number,
  clientId: string,
  subject: string,
  reservationId: string,
): Promise<LimitRefusal | RequestPlace> {
  const now = ctx.now();
  const details = { serviceId, clientId, subject };
  // Both in one write: the per-minute counter's row is the user's, so it also keeps concurrent
  // reservations of the same user in line.
  const place = await ctx.store.claimRequestPlace(
    scopes.requestsOfUser(serviceId, subject),
    serviceId,
    subject,
    settings.maxRequestsPerMinutePerUser,
    MINUTE_MS,
    settings.maxPendingRequestsPerUser,
    reservationId,
    now + PENDING_HOLD_MS,
    now,
  );
  if (!place.granted && place.limit === 'rate') {
    return logged(ctx, tooMany('Too many backchannel requests for this user; retry later.', place.retryAt, now), { ...details, limit: 'maxRequestsPerMinutePerUser' });
  }
  if (!place.granted) {
    return logged(ctx, tooMany('Too many backchannel requests are pending for this user; retry later.', place.retryAt, now), { ...details, limit: 'maxPendingRequestsPerUser' });
  }
  let held = true;
  return {
    id: reservationId,
    takenOver: () => {
      held = false;
    },
    release: async () => {
      if (held) await ctx.store.releasePending(reservationId);
      held = false;
    },
  };
}
