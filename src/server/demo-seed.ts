import type { EngineContext } from '../engine/context.js';
import { isApiError } from '../engine/api-error.js';
import { createClient } from '../engine/clients/client-operations.js';
import { createService } from '../engine/services/service-operations.js';
import type { UserStore } from '../store/ports.js';

export interface DemoSeed {
  serviceId: number;
  issuer: string;
  clientId: number;
  clientSecret: string;
  users: string[];
}

const DEMO_USERS = [
  { subject: 'alice', email: 'alice@example.com', phoneNumber: '+15550000001', data: { name: 'Alice Example', given_name: 'Alice', family_name: 'Example', email_verified: true } },
  { subject: 'bob', email: 'bob@example.com', phoneNumber: '+15550000002', data: { name: 'Bob Example', given_name: 'Bob', family_name: 'Example', email_verified: true } },
];

/** On an empty database in development mode: a demo service, a poll client and two users. */
export async function seedDemo(ctx: EngineContext, users: UserStore): Promise<DemoSeed | undefined> {
  const existing = await ctx.store.listServices(0, 1);
  if (existing.totalCount > 0) return undefined;
  // Two nodes starting at once on one empty database would both seed; a marker row decides.
  const marker = `seed-${ctx.random.token(12)}`;
  if ((await ctx.store.putMetaIfAbsent('demo_seeded', marker)) !== marker) return undefined;

  const service = await createService(ctx, { serviceName: 'OpenCIBA demo', description: 'Seeded in development mode.' });
  if (isApiError(service)) throw new Error(service.message('/service/create'));
  const client = await createClient(ctx, service.apiKey, {
    clientName: 'Demo CIBA client',
    clientType: 'CONFIDENTIAL',
    tokenAuthMethod: 'CLIENT_SECRET_BASIC',
    grantTypes: ['CIBA', 'REFRESH_TOKEN'],
    bcDeliveryMode: 'POLL',
  });
  if (isApiError(client)) throw new Error(client.message('/client/create'));

  const now = ctx.clock.now();
  for (const user of DEMO_USERS) {
    await users.putUser({
      serviceId: service.apiKey,
      subject: user.subject,
      email: user.email,
      phoneNumber: user.phoneNumber,
      status: 'active',
      data: user.data,
      createdAt: now,
      modifiedAt: now,
    });
  }
  return {
    serviceId: service.apiKey,
    issuer: String(service.issuer),
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    users: DEMO_USERS.map((u) => u.subject),
  };
}
