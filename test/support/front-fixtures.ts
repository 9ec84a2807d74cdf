import { adminApi, type AdminApi } from './admin-api.js';
import { request } from './http.js';
import type { TestServer } from './test-server.js';

export interface FrontFixture {
  serviceId: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Calls the management API (or /admin) with the organization token. */
  admin: AdminApi['call'];
}

/** A service with a 1-second polling interval, a client in the given mode, and users alice, bob and carol (locked). */
export async function createFront(
  server: TestServer,
  client: Record<string, unknown> = {},
  service: Record<string, unknown> = {},
): Promise<FrontFixture> {
  const api = adminApi(server.baseUrl, server.adminToken);
  const { serviceId, issuer } = await api.createService({ serviceName: 'front', backchannelPollingInterval: 1, ...service });
  const { clientId, clientSecret } = await api.createClient(serviceId, { clientName: 'Front test client', bcDeliveryMode: 'POLL', ...client });
  await api.putUser(serviceId, 'alice', { email: 'alice@example.com', phone_number: '+15550001', name: 'Alice' });
  await api.putUser(serviceId, 'bob', { email: 'bob@example.com', name: 'Bob', userCode: '4321' });
  await api.putUser(serviceId, 'carol', { name: 'Carol', status: 'locked' });
  return { serviceId, issuer, clientId, clientSecret, admin: api.call };
}

export function basicAuth(clientId: string, secret: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}` };
}

export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });
}
