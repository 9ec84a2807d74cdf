import { bearer, request } from './http.js';
import type { TestServer } from './test-server.js';

export interface FrontFixture {
  serviceId: number;
  issuer: string;
  clientId: number;
  clientSecret: string;
  /** Calls the management API (or /admin) with the organization token. */
  admin: (method: string, path: string, body?: unknown) => Promise<any>;
}

async function adminCall(server: TestServer, method: string, path: string, body?: unknown) {
  const response = await request(`${server.baseUrl}${path}`, {
    method,
    headers: { ...bearer(server.adminToken), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (response.status >= 300) throw new Error(`${method} ${path} → ${response.status} ${response.text}`);
  return response.json;
}

/** A service with a 1-second polling interval, a client in the given mode, and users alice, bob and carol (locked). */
export async function createFront(
  server: TestServer,
  client: Record<string, unknown> = {},
  service: Record<string, unknown> = {},
): Promise<FrontFixture> {
  const admin = (method: string, path: string, body?: unknown) => adminCall(server, method, path, body);
  const created = await admin('POST', '/api/service/create', { serviceName: 'front', backchannelPollingInterval: 1, ...service });
  const serviceId = created.apiKey as number;
  const registered = await admin('POST', `/api/${serviceId}/client/create`, { clientName: 'Front test client', bcDeliveryMode: 'POLL', ...client });
  await admin('PUT', `/admin/services/${serviceId}/users/alice`, { email: 'alice@example.com', phone_number: '+15550001', name: 'Alice' });
  await admin('PUT', `/admin/services/${serviceId}/users/bob`, { email: 'bob@example.com', name: 'Bob', userCode: '4321' });
  await admin('PUT', `/admin/services/${serviceId}/users/carol`, { name: 'Carol', status: 'locked' });
  return { serviceId, issuer: created.issuer, clientId: registered.clientId, clientSecret: registered.clientSecret, admin };
}

export function basicAuth(clientId: number | string, secret: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${encodeURIComponent(String(clientId))}:${encodeURIComponent(secret)}`).toString('base64')}` };
}

export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });
}
