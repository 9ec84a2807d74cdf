import { Counter, Histogram, type Registry } from 'prom-client';
import type { AuditEventRecord, AuditListener } from '../../store/ports.js';

const LABELS = ['service_id'] as const;
// A user answers in seconds to minutes; a CIBA request lives at most its expiry (minutes).
const SECONDS_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600];

/** Which counter each audit event type feeds, with its help text. */
const COUNTED: Record<string, { name: string; help: string; when?: (e: AuditEventRecord) => boolean }[]> = {
  'backchannel.requested': [{ name: 'openciba_ciba_requests_total', help: 'Backchannel authentication requests accepted for user identification' }],
  'user.unknown': [{ name: 'openciba_ciba_unknown_users_total', help: 'Backchannel requests whose hint named no user' }],
  'device.notified': [{ name: 'openciba_ciba_device_notified_total', help: "Requests handed to the user's authentication device" }],
  'decision.recorded': [
    { name: 'openciba_ciba_approved_total', help: 'Requests the user approved', when: (e) => e.data.outcome === 'approved' },
    { name: 'openciba_ciba_denied_total', help: 'Requests denied (by the user, or for a user locked meanwhile)', when: (e) => e.data.outcome === 'denied' },
  ],
  'request.expired': [{ name: 'openciba_ciba_expired_total', help: 'Requests nobody answered before they expired' }],
  'tokens.issued': [{ name: 'openciba_ciba_tokens_issued_total', help: 'CIBA grants redeemed for tokens (or pushed)' }],
  'replay.detected': [{ name: 'openciba_ciba_replays_total', help: 'Token requests repeating an auth_req_id already redeemed' }],
};

/**
 * The CIBA funnel per service, counted from the audit trail: the sink calls the returned
 * listener with every event it stores. Labels are the service id only — never a client id or a
 * subject, whose number is unbounded. The two histograms measure from the request's creation
 * (`requestedAt` in the decision's and the tokens' details) to the decision and to the tokens.
 */
export function registerFunnelMetrics(registry: Registry): AuditListener {
  const counters = new Map<string, Counter<(typeof LABELS)[number]>>();
  for (const specs of Object.values(COUNTED)) {
    for (const spec of specs) counters.set(spec.name, new Counter({ name: spec.name, help: spec.help, labelNames: LABELS, registers: [registry] }));
  }
  const toDecision = new Histogram({ name: 'openciba_ciba_request_to_decision_seconds', help: 'Time from the backchannel request to the recorded decision', labelNames: LABELS, buckets: SECONDS_BUCKETS, registers: [registry] });
  const toToken = new Histogram({ name: 'openciba_ciba_request_to_token_seconds', help: 'Time from the backchannel request to the tokens', labelNames: LABELS, buckets: SECONDS_BUCKETS, registers: [registry] });

  return (event) => {
    const labels = { service_id: String(event.serviceId) };
    for (const spec of COUNTED[event.type] ?? []) {
      if (!spec.when || spec.when(event)) counters.get(spec.name)!.inc(labels);
    }
    const requestedAt = event.data.requestedAt;
    if (typeof requestedAt !== 'number' || requestedAt > event.at) return;
    const seconds = (event.at - requestedAt) / 1000;
    if (event.type === 'decision.recorded') toDecision.observe(labels, seconds);
    else if (event.type === 'tokens.issued') toToken.observe(labels, seconds);
  };
}
