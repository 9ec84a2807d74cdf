import type { EngineContext } from '../context.js';
import type { Grant } from '../tokens/mint-tokens.js';
import type { TokenRecord } from '../../store/ports.js';

export interface FoundToken {
  record: TokenRecord;
  grant: Grant;
  kind: 'access_token' | 'refresh_token';
  expiresAt: number;
}

/** Finds a token by its value: as an access token, else (when allowed) as a refresh token. */
export async function findToken(ctx: EngineContext, serviceId: number, value: string, options: { refresh?: boolean; hint?: string } = {}): Promise<FoundToken | undefined> {
  if (value.length > 1024) return undefined;
  const digest = ctx.keyring.digest(value);
  const asAccess = async () => {
    const record = await ctx.store.findTokenByAccessDigest(serviceId, digest);
    return record ? { record, grant: (record.data.grant ?? {}) as Grant, kind: 'access_token' as const, expiresAt: record.accessExpiresAt } : undefined;
  };
  const asRefresh = async () => {
    if (!options.refresh) return undefined;
    const record = await ctx.store.findTokenByRefreshDigest(serviceId, digest);
    return record && record.refreshExpiresAt !== null
      ? { record, grant: (record.data.grant ?? {}) as Grant, kind: 'refresh_token' as const, expiresAt: record.refreshExpiresAt }
      : undefined;
  };
  // RFC 7009 §2.1 / RFC 7662 §2.1: the hint orders the look-up; it never limits it.
  return options.hint === 'refresh_token' ? ((await asRefresh()) ?? (await asAccess())) : ((await asAccess()) ?? (await asRefresh()));
}

export function visibleProperties(grant: Grant, includeHidden: boolean) {
  const properties = (grant.properties ?? []).filter((p) => includeHidden || !p.hidden);
  return properties.length > 0 ? properties : undefined;
}
