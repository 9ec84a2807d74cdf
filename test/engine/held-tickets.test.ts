import { describe, expect, it } from 'vitest';
import { HeldTickets } from '../../src/engine/ciba/held-tickets.js';
import type { BackchannelRequestRecord } from '../../src/store/ports.js';

const record = (i: number, serviceId = 1): BackchannelRequestRecord => ({
  id: `id-${i}`, ticketDigest: `t-${i}`, authReqIdDigest: null, authReqIdSealed: null, serviceId, clientId: 2, status: 'identified',
  deliveryMode: 'POLL', request: {}, result: null, interval: 1, lastPolledAt: null, createdAt: 0, expiresAt: 600_000,
});

describe('held tickets', () => {
  it('give a request back once, to its own service only', () => {
    const held = new HeldTickets();
    held.hold(record(1), 0);
    expect(held.take(2, 't-1')).toBeUndefined();
    expect(held.take(1, 't-1')?.id).toBe('id-1');
    expect(held.take(1, 't-1')).toBeUndefined();
  });

  it('forget what waited longer than the hold, and never hold more than 10,000', () => {
    const held = new HeldTickets();
    held.hold(record(0), 0);
    held.hold(record(1), 31_000); // the first one's 30 s are over
    expect(held.take(1, 't-0')).toBeUndefined();
    for (let i = 2; i < 10_005; i++) held.hold(record(i), 31_000);
    expect(held.size).toBe(10_000);
    expect(held.take(1, 't-1')).toBeUndefined(); // the oldest went first
    expect(held.take(1, 't-10004')?.id).toBe('id-10004');
  });
});
