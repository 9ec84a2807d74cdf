import { api } from './api.js';

/** One page of a service's audit events (contract A): `{ events, nextCursor? }`, oldest first. */
export function eventPage(serviceId, filters, limit, cursor) {
  const query = new URLSearchParams({ ...filters, limit: String(limit) });
  if (cursor) query.set('cursor', cursor);
  return api('GET', `/admin/services/${serviceId}/events?${query}`);
}

/** Every audit event of a service matching `filters` (contract A), following cursors up to `maxPages`. */
export async function fetchEvents(serviceId, filters, maxPages = 10) {
  const events = [];
  let cursor;
  for (let page = 0; page < maxPages; page++) {
    const answer = await eventPage(serviceId, filters, 1000, cursor);
    events.push(...(answer.events ?? []));
    cursor = answer.nextCursor;
    if (!cursor) break;
  }
  return events;
}

/** A one-line reading of an event's data, for timelines and lists. */
export function describe(event) {
  const d = event.data ?? {};
  switch (event.type) {
    case 'backchannel.requested':
      return `client ${d.clientId ?? event.clientId ?? ''} asked (${d.deliveryMode ?? ''}, ${d.hintType ?? ''}) for ${(d.scopes ?? []).join(' ')}${d.bindingMessage ? ` — “${d.bindingMessage}”` : ''}`;
    case 'request.issued':
      return `auth_req_id issued, valid ${d.expiresIn ?? '?'} s`;
    case 'device.notified':
      return `shown to the user on ${d.channel ?? ''}`;
    case 'user.identified':
      return `user ${d.subject ?? event.subject ?? ''} identified`;
    case 'decision.recorded':
      return `${d.outcome} on ${d.channel ?? ''} by ${d.decidedBy ?? ''}`;
    case 'notification.attempt':
      return `attempt ${d.attempt ?? ''}: ${d.outcome}${d.status ? ` (HTTP ${d.status})` : ''}`;
    case 'security.refused':
      return `${d.rule ?? ''}${d.detail ? `: ${d.detail}` : ''}`;
    case 'admin.changed':
      return `${d.actor ?? ''} ${d.action ?? ''} ${d.resource ?? ''} ${d.target ?? ''}`;
    default:
      return Object.keys(d).length ? JSON.stringify(d) : '';
  }
}
