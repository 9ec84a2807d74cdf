/**
 * The one way tests create services, clients and users: the management API (`/api/service/create`,
 * `/api/{id}/client/create`) and the directory (`/admin/services/{id}/users/{subject}`), called with
 * the organization token over real HTTP. Ids are strings everywhere in the fixtures, as they are
 * in API paths and in the Authlete SDK's requests; JSON answers carry them as numbers.
 */
import { bearer, request } from './http.js';

export interface ServiceFixture {
  serviceId: string;
  issuer: string;
  tokenEndpoint: string;
  backchannelEndpoint: string;
  /** The whole /api/service/create answer. */
  created: Record<string, any>;
}

export interface ClientFixture {
  clientId: string;
  clientSecret: string;
  /** The whole /api/{id}/client/create answer. */
  created: Record<string, any>;
}

export interface AdminApi {
  /** Any management call; throws with the status and body on anything but 2xx. */
  call(method: string, path: string, body?: unknown): Promise<any>;
  createService(input?: Record<string, unknown>): Promise<ServiceFixture>;
  createClient(serviceId: string, input?: Record<string, unknown>): Promise<ClientFixture>;
  putUser(serviceId: string, subject: string, user?: Record<string, unknown>): Promise<any>;
}

export function adminApi(baseUrl: string, token: string): AdminApi {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await request(`${baseUrl}${path}`, {
      method,
      headers: { ...bearer(token), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (response.status >= 300) throw new Error(`${method} ${path} → ${response.status} ${response.text}`);
    return response.json;
  };
  return {
    call,
    async createService(input = {}) {
      const created = await call('POST', '/api/service/create', { serviceName: 'test service', ...input });
      return {
        serviceId: String(created.apiKey),
        issuer: String(created.issuer),
        tokenEndpoint: String(created.tokenEndpoint),
        backchannelEndpoint: String(created.backchannelAuthenticationEndpoint),
        created,
      };
    },
    async createClient(serviceId, input = {}) {
      const created = await call('POST', `/api/${serviceId}/client/create`, { clientName: 'test client', ...input });
      return { clientId: String(created.clientId), clientSecret: String(created.clientSecret), created };
    },
    putUser: (serviceId, subject, user = {}) => call('PUT', `/admin/services/${serviceId}/users/${encodeURIComponent(subject)}`, user),
  };
}
