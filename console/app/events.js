import { api } from './api.js';

/** Every audit event of a service matching `filters` (contract A), following cursors up to `maxPages`. */
export async function fetchEvents(serviceId, filters, maxPages = 10) {
  const events = [];
  let cursor;
  for (let page = 0; page < maxPages; page++) {
    const query = new URLSearchParams({ ...filters, limit: '1000' });
    if (cursor) query.set('cursor', cursor);
    const answer = await api('GET', `/admin/services/${serviceId}/events?${query}`);
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
