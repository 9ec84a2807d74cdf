import type { FrontRequestRecord, UserRecord } from '../../store/ports.js';
import type { BackchannelAuthenticationCompleteResponse, BackchannelAuthenticationCompleteResult as Result } from '../../wire/ciba-types.js';
import { codes } from '../../wire/result-codes.js';
import { notificationOutboxRecord } from '../notifications/notification-outbox-record.js';
import type { OpContext } from '../op-context.js';

export type Decision = 'allow' | 'deny';
export type DecisionOutcome = { ok: true; result: string } | { ok: false; status: 404 | 409; error: string; description: string };

/**
 * The user's answer to a pending request (simulator, or the automated approval URL): recorded
 * once, then reported with /complete. A user locked meanwhile is refused (ACCESS_DENIED), and
 * the ping/push notification goes to the outbox. The request is named by its auth_req_id
 * (automated approval) or by its id in the simulator (the digest).
 */
export async function decideRequest(op: OpContext, serviceId: number, which: { authReqId: string } | { digest: string }, decision: Decision): Promise<DecisionOutcome> {
  const digest = 'authReqId' in which ? op.keyring.digest(which.authReqId) : which.digest;
  const now = op.clock.now();
  const decided = await op.store.decideFrontRequest(serviceId, digest, decision === 'allow' ? 'allowed' : 'denied', now);
  if (!decided) {
    const existing = await op.store.findFrontRequest(serviceId, digest);
    if (!existing) return { ok: false, status: 404, error: 'not_found', description: 'No pending request has this auth_req_id.' };
    return { ok: false, status: 409, error: 'already_decided', description: 'The request was already decided or has expired.' };
  }
  const user = await op.store.getUser(serviceId, decided.subject);
  const result = decision === 'allow' && user?.status === 'active' ? 'AUTHORIZED' : 'ACCESS_DENIED';
  await completeDecided(op, decided, result, userClaims(user));
  return { ok: true, result };
}

/** The directory's claims of a user that the ID token may carry (filtered by scope when completing). */
export function userClaims(user: UserRecord | undefined): Record<string, unknown> {
  return user ? { name: user.data.name, email: user.email, phone_number: user.phoneNumber } : {};
}

/**
 * Completes a request this node has just decided (or failed). If the engine does not record it,
 * the decision is undone — pending again, for the user or the expiry sweep — and the error thrown.
 */
export async function completeDecided(op: OpContext, decided: FrontRequestRecord, result: Result, claims: Record<string, unknown> = {}, how: HowAuthenticated = {}): Promise<BackchannelAuthenticationCompleteResponse> {
  try {
    return await completeFrontRequest(op, decided, result, claims, how);
  } catch (error) {
    await op.store.reopenFrontRequest(decided.serviceId, decided.authReqIdDigest);
    throw error;
  }
}

/** How the user authenticated, for the ID token: `acr` and RFC 8176 `amr` values (the authenticator app). */
export interface HowAuthenticated {
  acr?: string;
  amr?: string[];
}

/** Reports a front request's outcome to the engine and makes sure its notification is queued. */
export async function completeFrontRequest(op: OpContext, request: FrontRequestRecord, result: Result, claims: Record<string, unknown> = {}, how: HowAuthenticated = {}): Promise<BackchannelAuthenticationCompleteResponse> {
  const ticket = op.keyring.open(request.ticketSealed);
  const scopes = Array.isArray(request.details.scopes) ? (request.details.scopes as string[]) : [];
  const idTokenClaims: Record<string, unknown> = Object.fromEntries(
    Object.entries(claims).filter(([name, value]) => value !== null && value !== undefined && claimAllowed(name, scopes)),
  );
  // Authlete's /complete has no amr parameter; its ID tokens take amr from `claims` (OIDC Core §2).
  if (how.amr && how.amr.length > 0) idTokenClaims.amr = how.amr;
  const answer = await op.engine.ciba.complete({
    serviceId: String(request.serviceId),
    backchannelAuthenticationCompleteRequest: {
      ticket,
      result,
      ...(result === 'AUTHORIZED' ? { subject: request.subject, authTime: Math.floor(op.clock.now() / 1000) } : {}),
      ...(result === 'AUTHORIZED' && how.acr ? { acr: how.acr } : {}),
      ...(result === 'AUTHORIZED' && Object.keys(idTokenClaims).length > 0 ? { claims: JSON.stringify(idTokenClaims) } : {}),
    },
  });
  // Across machines the engine cannot write our outbox: queue the notification here.
  if (!op.engineOutboxes && answer.action === 'NOTIFICATION' && answer.resultCode !== codes.completeAlreadyDone.code) {
    await queueNotification(op, request, answer);
  }
  return answer;
}

async function queueNotification(op: OpContext, request: FrontRequestRecord, answer: BackchannelAuthenticationCompleteResponse): Promise<void> {
  const endpoint = typeof answer.clientNotificationEndpoint === 'string' ? answer.clientNotificationEndpoint : undefined;
  if (!endpoint || typeof answer.responseContent !== 'string') return;
  await op.store.enqueueOutbox(
    notificationOutboxRecord(
      {
        kind: answer.deliveryMode === 'PUSH' ? 'push' : 'ping',
        endpoint,
        clientNotificationToken: String(answer.clientNotificationToken ?? ''),
        body: answer.responseContent,
        expiresAt: request.expiresAt,
        serviceId: request.serviceId,
        clientId: request.clientId,
        // A push carrying tokens: locking or deleting the user cancels it while it waits.
        ...(answer.deliveryMode === 'PUSH' && typeof answer.accessToken === 'string' ? { subject: request.subject } : {}),
      },
      op,
    ),
  );
}

// OIDC Core §5.4: which user claims each scope lets into the ID token.
const CLAIMS_OF_SCOPE: Record<string, string[]> = { profile: ['name'], email: ['email'], phone: ['phone_number'] };

function claimAllowed(name: string, scopes: string[]): boolean {
  return scopes.some((s) => CLAIMS_OF_SCOPE[s]?.includes(name));
}
