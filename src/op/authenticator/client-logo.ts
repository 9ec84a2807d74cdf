import type { OpContext } from '../op-context.js';

/**
 * The client's registered `logoUri` (OIDC Dynamic Client Registration `logo_uri`), for the
 * approval page, when it is an https URL. Read when the page opens a request, never on the
 * backchannel request's path. The page loads it with `img-src https:` and no referrer; a client
 * that cannot be read (deleted meanwhile, remote engine unreachable) simply shows no logo.
 */
export async function clientLogoOf(op: OpContext, serviceId: number, clientId: string): Promise<string | undefined> {
  try {
    const client = await op.engine.client.get({ serviceId: String(serviceId), clientId });
    const logo = client.logoUri;
    if (typeof logo !== 'string' || logo.length > 2048) return undefined;
    return new URL(logo).protocol === 'https:' ? logo : undefined;
  } catch {
    return undefined;
  }
}
