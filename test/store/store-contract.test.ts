import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { ClientRecord, ServiceRecord, Store } from '../../src/store/ports.js';
import { DIALECTS, freshPostgresUrl } from '../support/test-server.js';

function service(apiKey: number, number: number): ServiceRecord {
  return { apiKey, number, data: { serviceName: `s${number}`, issuer: 'https://as.example.com' }, jwksSealed: 'sealed', createdAt: 1000, modifiedAt: 1000 };
}

function client(clientId: number, serviceId: number, number: number, developer: string | null = null): ClientRecord {
  return { clientId, serviceId, number, developer, data: { clientName: `c${number}` }, secretSealed: 'secret', clientIdAlias: null, createdAt: 2000, modifiedAt: 2000 };
}

describe.each(DIALECTS)('store contract on %s', (dialect) => {
  let store: Store;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'openciba-store-'));
    const databaseUrl = dialect === 'postgres' ? await freshPostgresUrl() : undefined;
    const opened = await openStore({ dataDir, databaseUrl });
    expect(opened.appliedMigrations).toEqual(['0001-initial', '0002-ciba', '0003-front', '0004-client-alias', '0005-user-code-hash', '0006-outbox-client', '0007-subject-revocation', '0008-attempt-limits', '0010-audit-events', '0013-authenticator', '0014-front-request-listing', '0015-audit-unlinked', '0016-audit-request-key']);
    store = opened.store;
    expect(store.dialect).toBe(dialect);
  });

  afterAll(async () => {
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the first value of a meta setting', async () => {
    expect(await store.getMeta('k')).toBeUndefined();
    expect(await store.putMetaIfAbsent('k', 'first')).toBe('first');
    expect(await store.putMetaIfAbsent('k', 'second')).toBe('first');
    expect(await store.getMeta('k')).toBe('first');
  });

  it('hands out distinct counter values under concurrency', async () => {
    const values = await Promise.all(Array.from({ length: 25 }, () => store.nextNumber('c')));
    expect(new Set(values).size).toBe(25);
    expect(Math.min(...values)).toBe(1);
    expect(Math.max(...values)).toBe(25);
  });

  it('creates, reads, pages, updates and deletes services', async () => {
    for (let n = 1; n <= 7; n++) await store.createService(service(900_000_000_000 + n, n));
    const got = await store.getService(900_000_000_003);
    expect(got).toEqual(service(900_000_000_003, 3));
    expect(await store.getService(1)).toBeUndefined();

    const page = await store.listServices(2, 5);
    expect(page.totalCount).toBe(7);
    expect(page.items.map((s) => s.number)).toEqual([3, 4, 5]);
    const only = await store.listServices(0, 5, 900_000_000_004);
    expect(only.totalCount).toBe(1);
    expect(only.items[0]?.apiKey).toBe(900_000_000_004);

    expect(await store.updateService(900_000_000_003, { serviceName: 'renamed' }, null, 5000)).toBe(true);
    expect(await store.updateService(42, {}, null, 5000)).toBe(false);
    const updated = await store.getService(900_000_000_003);
    expect(updated?.data).toEqual({ serviceName: 'renamed' });
    expect(updated?.jwksSealed).toBeNull();
    expect(updated?.modifiedAt).toBe(5000);
    expect(updated?.createdAt).toBe(1000);
    // Undefined keys leave the stored key set as it is (a rotation's schedule with it).
    expect(await store.updateService(900_000_000_004, { serviceName: 'kept keys' }, undefined, 6000)).toBe(true);
    expect((await store.getService(900_000_000_004))?.jwksSealed).toBe('sealed');

    expect(await store.deleteService(900_000_000_007)).toBe(true);
    expect(await store.deleteService(900_000_000_007)).toBe(false);
    expect((await store.listServices(0, 100)).totalCount).toBe(6);
  });

  it('replaces a service key set only if it is still the one read (compare-and-set)', async () => {
    await store.createService(service(900_000_000_101, 101));
    expect(await store.replaceServiceKeys(900_000_000_101, 'sealed', 'rotated', 7000)).toBe(true);
    // A second rotation that read the old set loses.
    expect(await store.replaceServiceKeys(900_000_000_101, 'sealed', 'other', 7001)).toBe(false);
    expect(await store.getService(900_000_000_101)).toMatchObject({ jwksSealed: 'rotated', modifiedAt: 7000 });
    const racing = await Promise.all(['a', 'b', 'c'].map((v) => store.replaceServiceKeys(900_000_000_101, 'rotated', v, 7002)));
    expect(racing.filter(Boolean)).toHaveLength(1);
    expect(await store.replaceServiceKeys(42, null, 'x', 7003)).toBe(false);
    await store.updateService(900_000_000_101, {}, null, 7004);
    expect(await store.replaceServiceKeys(900_000_000_101, null, 'from-none', 7005)).toBe(true);
  });

  it('scopes clients to their service and filters by developer', async () => {
    const a = 900_000_000_001;
    const b = 900_000_000_002;
    await store.createClient(client(12_345_678_901_234, a, 1, 'dev1'));
    await store.createClient(client(12_345_678_901_235, a, 2, 'dev2'));
    await store.createClient(client(12_345_678_901_236, b, 3));

    expect((await store.getClient(a, 12_345_678_901_234))?.data).toEqual({ clientName: 'c1' });
    expect(await store.getClient(b, 12_345_678_901_234)).toBeUndefined();
    expect((await store.listClients(a, 0, 10)).totalCount).toBe(2);
    const byDev = await store.listClients(a, 0, 10, 'dev2');
    expect(byDev.items.map((c) => c.clientId)).toEqual([12_345_678_901_235]);

    expect(await store.updateClient(a, 12_345_678_901_234, { data: { clientName: 'x' }, developer: null, secretSealed: 'secret2', clientIdAlias: null, modifiedAt: 9000 })).toBe('updated');
    expect(await store.updateClient(b, 12_345_678_901_234, { data: {}, developer: null, secretSealed: 's', clientIdAlias: null, modifiedAt: 9000 })).toBe('not-found');
    const updated = await store.getClient(a, 12_345_678_901_234);
    expect(updated).toMatchObject({ developer: null, secretSealed: 'secret2', modifiedAt: 9000, data: { clientName: 'x' } });
    // An update without a secret keeps it; replaceClientSecret changes the secret alone.
    expect(await store.updateClient(a, 12_345_678_901_234, { data: { clientName: 'y' }, developer: null, clientIdAlias: null, modifiedAt: 9100 })).toBe('updated');
    expect(await store.getClient(a, 12_345_678_901_234)).toMatchObject({ secretSealed: 'secret2', data: { clientName: 'y' } });
    expect(await store.replaceClientSecret(a, 12_345_678_901_234, 'secret3', 9200)).toBe(true);
    expect(await store.replaceClientSecret(b, 12_345_678_901_234, 'secret4', 9200)).toBe(false);
    expect(await store.getClient(a, 12_345_678_901_234)).toMatchObject({ secretSealed: 'secret3', modifiedAt: 9200, data: { clientName: 'y' } });

    expect(await store.deleteClient(b, 12_345_678_901_235, 9_500)).toBe(false);
    expect(await store.deleteClient(a, 12_345_678_901_235, 9_500)).toBe(true);
  });

  it('indexes custom client id aliases per service, one client each', async () => {
    const a = 900_000_000_001;
    const b = 900_000_000_002;
    expect(await store.createClient({ ...client(22_345_678_901_234, a, 11), clientIdAlias: 'app' })).toBe('created');
    expect(await store.createClient({ ...client(22_345_678_901_235, a, 12), clientIdAlias: 'app' })).toBe('alias-taken');
    expect(await store.getClient(a, 22_345_678_901_235)).toBeUndefined(); // nothing half-written
    expect(await store.createClient({ ...client(22_345_678_901_236, b, 13), clientIdAlias: 'app' })).toBe('created'); // another service
    expect(await store.createClient(client(22_345_678_901_237, a, 14))).toBe('created');
    expect(await store.createClient(client(22_345_678_901_238, a, 15))).toBe('created'); // many without an alias

    expect(await store.findClientIdByAlias(a, 'app')).toBe(22_345_678_901_234);
    expect(await store.findClientIdByAlias(b, 'app')).toBe(22_345_678_901_236);
    expect(await store.findClientIdByAlias(a, 'nope')).toBeUndefined();
    expect((await store.getClient(a, 22_345_678_901_234))?.clientIdAlias).toBe('app');

    const change = { data: {}, developer: null, secretSealed: 's', modifiedAt: 9 };
    expect(await store.updateClient(a, 22_345_678_901_237, { ...change, clientIdAlias: 'app' })).toBe('alias-taken');
    expect(await store.updateClient(a, 22_345_678_901_234, { ...change, clientIdAlias: 'app' })).toBe('updated'); // keeping its own
    expect(await store.updateClient(a, 22_345_678_901_234, { ...change, clientIdAlias: 'app2' })).toBe('updated');
    expect(await store.updateClient(a, 22_345_678_901_237, { ...change, clientIdAlias: 'app' })).toBe('updated'); // freed, taken
    expect(await store.findClientIdByAlias(a, 'app')).toBe(22_345_678_901_237);
    expect(await store.findClientIdByAlias(a, 'app2')).toBe(22_345_678_901_234);
  });

  it('keeps api tokens by digest and tells organization tokens apart', async () => {
    expect(await store.hasOrganizationToken()).toBe(false);
    await store.addApiToken('digest-org', null, 'org', 1);
    await store.addApiToken('digest-svc', 900_000_000_001, null, 1);
    expect(await store.hasOrganizationToken()).toBe(true);
    expect(await store.findApiToken('digest-org')).toEqual({ serviceId: null });
    expect(await store.findApiToken('digest-svc')).toEqual({ serviceId: 900_000_000_001 });
    expect(await store.findApiToken('nope')).toBeUndefined();
  });

  it('finds users by subject, email or phone number and upserts them', async () => {
    const s = 900_000_000_001;
    const base = { serviceId: s, status: 'active' as const, createdAt: 1, modifiedAt: 1 };
    await store.putUser({ ...base, subject: 'alice', email: 'alice@example.com', phoneNumber: '+1555', data: { name: 'Alice' } });
    await store.putUser({ ...base, subject: 'bob', email: 'bob@example.com', phoneNumber: null, data: {} });
    expect((await store.findUserByHint(s, 'alice@example.com'))?.subject).toBe('alice');
    expect((await store.findUserByHint(s, '+1555'))?.subject).toBe('alice');
    expect((await store.findUserByHint(s, 'bob'))?.subject).toBe('bob');
    expect(await store.findUserByHint(900_000_000_002, 'bob')).toBeUndefined();

    // Precedence: a subject beats an email beats a phone number, however many others match.
    const p = 900_000_000_003;
    for (let i = 0; i < 12; i++) await store.putUser({ ...base, serviceId: p, subject: `phone-${i}`, email: null, phoneNumber: 'x', data: {} });
    await store.putUser({ ...base, serviceId: p, subject: 'by-email', email: 'x', phoneNumber: null, data: {} });
    expect((await store.findUserByHint(p, 'x'))?.subject).toBe('by-email');
    await store.putUser({ ...base, serviceId: p, subject: 'x', email: null, phoneNumber: null, data: {} });
    expect((await store.findUserByHint(p, 'x'))?.subject).toBe('x');
    expect((await store.findUserByHint(p, 'phone-3'))?.subject).toBe('phone-3');

    await store.putUser({ ...base, subject: 'bob', email: null, phoneNumber: null, status: 'locked', data: { name: 'B' }, modifiedAt: 7 });
    expect(await store.getUser(s, 'bob')).toMatchObject({ status: 'locked', email: null, data: { name: 'B' }, createdAt: 1, modifiedAt: 7 });
    expect((await store.listUsers(s, 0, 10)).items.map((u) => u.subject)).toEqual(['alice', 'bob']);
    expect(await store.deleteUser(s, 'bob', 8)).toBe(true);
    expect(await store.deleteUser(s, 'bob', 8)).toBe(false);
  });

  it('deleting a service removes its clients, users and tokens', async () => {
    const s = 900_000_000_001;
    expect(await store.deleteService(s)).toBe(true);
    expect(await store.getClient(s, 12_345_678_901_234)).toBeUndefined();
    expect(await store.getUser(s, 'alice')).toBeUndefined();
    expect(await store.findApiToken('digest-svc')).toBeUndefined();
    expect(await store.findApiToken('digest-org')).toEqual({ serviceId: null });
  });
});
