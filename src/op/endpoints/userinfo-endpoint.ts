import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OpContext } from '../op-context.js';
import { bearerToken } from '../http/client-credentials.js';
import { errorDescription } from '../../lib/error-description.js';
import { certificateFields } from '../http/client-certificate.js';
import { noStore } from '../http/oauth-reply.js';
import { STATUS_OF_ACTION } from './action-status.js';
import { dpopProof, endpointUri, headerCount, nonceHeader } from './dpop-header.js';

/** RFC 9449 §7.1 `Authorization: DPoP <token68>`. */
function dpopToken(authorization: string | undefined): string | undefined {
  const match = authorization ? /^DPoP[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i.exec(authorization) : null;
  return match?.[1];
}

/** Claim values the built-in user directory holds, by OIDC claim name. */
function userClaims(user: { email: string | null; phoneNumber: string | null; data: Record<string, unknown> }): Record<string, unknown> {
  const { userCode: _secret, ...others } = user.data;
  return { ...others, ...(user.email ? { email: user.email } : {}), ...(user.phoneNumber ? { phone_number: user.phoneNumber } : {}) };
}

/**
 * `{issuer}/userinfo` (OIDC Core §5.3), GET or POST with a Bearer token (header, or the form's
 * `access_token` on POST, RFC 6750 §2.2) or a DPoP one (RFC 9449 §7.1, with its proof). Errors
 * answer with the challenge and a JSON body. The proof is passed only with the DPoP scheme, so
 * a DPoP-bound token sent as a Bearer token is refused by the engine (RFC 9449 §7.2).
 */
export async function userinfoEndpoint(op: OpContext, serviceId: number, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const sid = String(serviceId);
  const fail = (status: number, challenge: string | undefined, headers: Record<string, string> = {}) => {
    const error = /error="([^"]+)"/.exec(challenge ?? '')?.[1] ?? 'invalid_token';
    const description = /error_description="([^"]+)"/.exec(challenge ?? '')?.[1];
    return noStore(reply)
      .code(status)
      .headers(headers)
      .header('www-authenticate', challenge ?? 'Bearer error="invalid_token"')
      .type('application/json;charset=UTF-8')
      .send(JSON.stringify({ error, ...(description ? { error_description: errorDescription(description) } : {}) }));
  };
  // RFC 9449 §7.2: more than one credential is ambiguous, 400 invalid_request.
  if (headerCount(request, 'authorization') > 1) return fail(400, 'Bearer error="invalid_request",error_description="More than one Authorization header."');
  const dpop = dpopProof(request);
  if (dpop === 'multiple') return fail(401, 'DPoP error="invalid_dpop_proof",error_description="More than one DPoP header."');
  const viaDpop = dpopToken(request.headers.authorization);
  let token = viaDpop ?? bearerToken(request.headers.authorization);
  if (!token && request.method === 'POST' && typeof request.body === 'string') token = new URLSearchParams(request.body).get('access_token') ?? undefined;
  if (!token) return fail(401, 'Bearer realm="userinfo"');

  // Authlete's userinfo request takes the certificate, not its chain (RFC 8705 §3: the binding is the leaf's).
  const certificate = certificateFields(op.clientCertificates, request).clientCertificate;
  const presented = viaDpop !== undefined ? { dpop: dpop ?? '', htm: request.method, htu: endpointUri(op, serviceId, 'userinfo') } : {};
  const checked = await op.engine.userinfo.process({
    serviceId: sid,
    userinfoRequest: { token, ...presented, ...(certificate !== undefined ? { clientCertificate: certificate } : {}) },
  });
  if (checked.action !== 'OK') return fail(STATUS_OF_ACTION[checked.action] ?? 500, checked.responseContent, nonceHeader(checked));

  const user = checked.subject !== undefined ? await op.store.getUser(serviceId, checked.subject) : undefined;
  if (!user || user.status !== 'active') return fail(401, 'Bearer error="invalid_token",error_description="The user is no longer active."');
  const wanted = new Set(checked.claims ?? []);
  const claims = Object.fromEntries(Object.entries(userClaims(user)).filter(([name]) => wanted.has(name)));

  const issued = await op.engine.userinfo.issue({ serviceId: sid, userinfoIssueRequest: { token, claims: JSON.stringify(claims) } });
  if (issued.action === 'JSON') return noStore(reply).code(200).headers(nonceHeader(checked)).type('application/json;charset=UTF-8').send(issued.responseContent);
  if (issued.action === 'JWT') return noStore(reply).code(200).headers(nonceHeader(checked)).type('application/jwt').send(issued.responseContent);
  return fail(STATUS_OF_ACTION[issued.action] ?? 500, issued.responseContent);
}
