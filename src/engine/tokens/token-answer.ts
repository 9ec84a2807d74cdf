import { codes } from '../../wire/result-codes.js';
import { settings } from '../services/service-settings.js';
import { withoutNulls } from '../../lib/json.js';
import { actionHead } from '../protocol/action-head.js';
import type { Grant, MintedTokens } from './mint-tokens.js';
import { tokenResponseContent } from './mint-tokens.js';
import type { GrantContext, TokenResponse } from './token-endpoint.js';

/** The OK answer of /auth/token: the relayable token response and Authlete's extra fields. */
export function tokenOkAnswer(g: GrantContext, minted: MintedTokens, grant: Grant, grantType: 'CIBA' | 'REFRESH_TOKEN'): TokenResponse {
  return withoutNulls({
    ...actionHead(grantType === 'CIBA' ? codes.tokenOk : codes.tokenRefreshOk, 'OK' as const),
    responseContent: tokenResponseContent(minted, grant.scopes),
    accessToken: minted.accessToken,
    accessTokenExpiresAt: minted.accessTokenExpiresAt,
    accessTokenDuration: minted.accessTokenDuration,
    refreshToken: minted.refreshToken,
    refreshTokenExpiresAt: minted.refreshTokenExpiresAt,
    refreshTokenDuration: minted.refreshTokenDuration,
    idToken: minted.idToken,
    grantType,
    clientId: g.client.record.clientId,
    clientIdAlias: g.client.auth.clientIdAlias,
    clientIdAliasUsed: g.clientIdAliasUsed,
    clientAuthMethod: g.clientAuthMethod,
    subject: grant.subject,
    scopes: grant.scopes,
    properties: grant.properties,
    resources: grant.resources,
    authorizationDetails: grant.authorizationDetails,
    serviceAttributes: settings.attributes(g.service.data),
    clientAttributes: settings.attributes(g.client.data),
  }) as TokenResponse;
}
