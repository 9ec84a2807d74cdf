import {
  DEFAULT_ACCESS_TOKEN_DURATION,
  DEFAULT_AUTH_REQ_ID_DURATION,
  DEFAULT_ID_TOKEN_DURATION,
  DEFAULT_POLLING_INTERVAL,
  DEFAULT_REFRESH_TOKEN_DURATION,
  durationOr,
} from './service-defaults.js';

type Data = Record<string, unknown>;

/** The endpoints where a client authenticates, each with its service list of supported methods. */
export type ClientAuthEndpoint = 'token' | 'revocation' | 'introspection';
const AUTH_METHODS_MEMBER: Readonly<Record<ClientAuthEndpoint, string>> = {
  // CIBA §7.1: the backchannel authentication endpoint authenticates as the token endpoint does.
  token: 'supportedTokenAuthMethods',
  revocation: 'supportedRevocationAuthMethods',
  introspection: 'supportedIntrospectionAuthMethods',
};

const flag = (data: Data, name: string): boolean => data[name] === true;
const list = (data: Data, name: string): string[] =>
  Array.isArray(data[name]) ? (data[name] as unknown[]).filter((v): v is string => typeof v === 'string') : [];

/** A client's `extension` duration counts only when positive and shorter (reference §13). */
function clientShortens(client: Data, name: string, serviceValue: number): number {
  const extension = client.extension as Data | undefined;
  const value = extension?.[name];
  return typeof value === 'number' && value > 0 && value < serviceValue ? value : serviceValue;
}

/** The settings of a service (and client) that the protocol steps read, with defaults applied. */
export const settings = {
  issuer: (service: Data) => String(service.issuer ?? ''),
  authReqIdDuration: (service: Data) => durationOr(service.backchannelAuthReqIdDuration, DEFAULT_AUTH_REQ_ID_DURATION),
  pollingInterval: (service: Data) => durationOr(service.backchannelPollingInterval, DEFAULT_POLLING_INTERVAL),
  accessTokenDuration: (service: Data, client: Data) =>
    clientShortens(client, 'accessTokenDuration', durationOr(service.accessTokenDuration, DEFAULT_ACCESS_TOKEN_DURATION)),
  refreshTokenDuration: (service: Data, client: Data) =>
    clientShortens(client, 'refreshTokenDuration', durationOr(service.refreshTokenDuration, DEFAULT_REFRESH_TOKEN_DURATION)),
  idTokenDuration: (service: Data, client: Data) =>
    clientShortens(client, 'idTokenDuration', durationOr(service.idTokenDuration, DEFAULT_ID_TOKEN_DURATION)),
  clockSkew: (service: Data) => (typeof service.allowableClockSkew === 'number' && service.allowableClockSkew > 0 ? service.allowableClockSkew : 0),
  supportsGrant: (service: Data, grant: string) => list(service, 'supportedGrantTypes').includes(grant),
  deliveryModes: (service: Data) => list(service, 'supportedBackchannelTokenDeliveryModes'),
  userCodeSupported: (service: Data) => flag(service, 'backchannelUserCodeParameterSupported'),
  supportedAcrs: (service: Data) => list(service, 'supportedAcrs'),
  supportedScopes: (service: Data): Data[] =>
    Array.isArray(service.supportedScopes)
      ? (service.supportedScopes as unknown[]).map((s) => (typeof s === 'string' ? { name: s } : (s as Data))).filter((s) => typeof s.name === 'string')
      : [],
  errorDescriptionOmitted: (service: Data) => flag(service, 'errorDescriptionOmitted'),
  refreshTokenKept: (service: Data) => flag(service, 'refreshTokenKept'),
  refreshTokenDurationKept: (service: Data) => flag(service, 'refreshTokenDurationKept'),
  refreshTokenDurationReset: (service: Data) => flag(service, 'refreshTokenDurationReset'),
  tokenExpirationLinked: (service: Data) => flag(service, 'tokenExpirationLinked'),
  idTokenAudType: (service: Data) => (service.idTokenAudType === 'string' ? 'string' : 'array') as 'string' | 'array',
  /** Undefined (every method) only for a service stored before the list existed. */
  authMethods: (service: Data, endpoint: ClientAuthEndpoint): string[] | undefined =>
    Array.isArray(service[AUTH_METHODS_MEMBER[endpoint]]) ? list(service, AUTH_METHODS_MEMBER[endpoint]) : undefined,
  clientIdAliasEnabled: (service: Data) => service.clientIdAliasEnabled !== false,
  /** Client `extension.requestableScopes`, when `requestableScopesEnabled` is true; else undefined. */
  requestableScopes: (client: Data): string[] | undefined => {
    const extension = client.extension as Data | undefined;
    return extension?.requestableScopesEnabled === true ? list(extension, 'requestableScopes') : undefined;
  },
  supportedClaims: (service: Data) => (Array.isArray(service.supportedClaims) ? list(service, 'supportedClaims') : undefined),
  attributes: (data: Data) => (Array.isArray(data.attributes) ? (data.attributes as Data[]) : undefined),
};
