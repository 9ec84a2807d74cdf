// OpenCIBA's typed client for the Authlete-compatible API: one interface, two implementations.
export type * from '../wire/wire-types.js';
export type * from '../wire/ciba-types.js';
export type * from '../wire/token-types.js';
export type * from '../wire/management-types.js';
export { BACKCHANNEL_AUTHENTICATION_FAIL_REASONS } from '../wire/ciba-types.js';
export type {
  CibaApi,
  ClientApi,
  IntrospectionApi,
  JwkSetEndpointApi,
  OpenCibaApi,
  RevocationApi,
  ServiceApi,
  TokenApi,
  UserinfoApi,
} from './openciba-api.js';
export {
  OpenCibaApiError,
  OpenCibaTransportError,
  isOpenCibaApiError,
  isOpenCibaTransportError,
  type OpenCibaTransportFailure,
} from './errors.js';
export { createHttpApi, DEFAULT_TIMEOUT_MS, type HttpApiOptions } from './http-client.js';
export { createInProcessApi } from './in-process.js';
export { apiPaths } from './api-paths.js';
