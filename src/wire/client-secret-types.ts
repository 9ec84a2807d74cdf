// Authlete's client secret operations (/client/secret/refresh and /client/secret/update). The
// reference OpenAPI extract leaves them out, so their request and answer shapes are written here,
// as the official SDK declares them (models/clientsecret*.ts), and their wire schemas join the
// generated ones in schemas.ts.
import type { JsonSchema } from './schemas.js';

/** A client named by its id or its custom alias, as the official SDK calls that member. */
export type ClientSecretRefreshApiRequest = {
  serviceId: string;
  clientIdentifier: string;
};

export type ClientSecretUpdateRequest = {
  /** `A-Z a-z 0-9 - _`, at most 86 characters (the official SDK's documentation of the member). */
  clientSecret: string;
};

export type ClientSecretUpdateApiRequest = ClientSecretRefreshApiRequest & {
  clientSecretUpdateRequest: ClientSecretUpdateRequest;
};

/** Both operations answer the same: the secret now in force and the one it replaced. */
export type ClientSecretRefreshResponse = {
  resultCode?: string;
  resultMessage?: string;
  newClientSecret?: string;
  oldClientSecret?: string;
};

export type ClientSecretUpdateResponse = ClientSecretRefreshResponse;

const answer: JsonSchema = {
  type: 'object',
  properties: {
    resultCode: { type: 'string' },
    resultMessage: { type: 'string' },
    newClientSecret: { type: 'string' },
    oldClientSecret: { type: 'string' },
  },
};

export const clientSecretSchemas: Record<string, JsonSchema> = {
  client_secret_update_request: { $id: 'client_secret_update_request', type: 'object', required: ['clientSecret'], properties: { clientSecret: { type: 'string' } } },
  client_secret_refresh_response: { $id: 'client_secret_refresh_response', ...answer },
  client_secret_update_response: { $id: 'client_secret_update_response', ...answer },
};
