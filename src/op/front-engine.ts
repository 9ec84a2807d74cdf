import type { OpenCibaApi } from '../sdk/openciba-api.js';

/**
 * What the front needs of the engine: the part of the typed API it calls, in the API's own
 * words (Authlete's request wrappers and responses). The SDK's in-process and HTTP clients both
 * provide it, so the front runs in one process with the engine, across machines, or in front
 * of Authlete itself.
 */
export type FrontEngine = {
  ciba: Pick<OpenCibaApi['ciba'], 'processAuthentication' | 'issue' | 'fail' | 'complete'>;
  token: Pick<OpenCibaApi['token'], 'process'>;
  introspection: Pick<OpenCibaApi['introspection'], 'standardProcess'>;
  revocation: Pick<OpenCibaApi['revocation'], 'process'>;
  userinfo: Pick<OpenCibaApi['userinfo'], 'process' | 'issue'>;
  service: Pick<OpenCibaApi['service'], 'getConfiguration'>;
  client: Pick<OpenCibaApi['client'], 'get'>;
  jwkSetEndpoint: Pick<OpenCibaApi['jwkSetEndpoint'], 'serviceJwksGetApi'>;
};
