import { api } from '../api.js';
import { fetchEvents } from '../events.js';
import { Component, html, iso, Notice, Table } from '../ui.js';

/** Ping, push and webhook deliveries (GET /admin/services/{id}/notifications), refreshed while open. */
export class NotificationsPage extends Component {
  state = { notifications: [], totalCount: 0, attempts: undefined, error: '' };

  componentDidMount() {
    this.load();
    this.timer = setInterval(() => this.load(), 5000);
  }

  componentWillUnmount() {
    clearInterval(this.timer);
  }

  async load() {
    if (!this.props.serviceId) return;
    try {
      const page = await api('GET', `/admin/services/${this.props.serviceId}/notifications?start=0&end=100`);
      this.setState({ notifications: page.notifications ?? [], totalCount: page.totalCount ?? 0, error: '' });
    } catch (error) {
      this.setState({ error: error.message });
    }
    // Each attempt with its HTTP status is in the audit trail (contract A); without it, only the rows above.
    try {
      const since = new Date(Date.now() - 24 * 3_600_000).toISOString();
      this.setState({ attempts: (await fetchEvents(this.props.serviceId, { type: 'notification.attempt', since })).reverse().slice(0, 200) });
    } catch {
      this.setState({ attempts: undefined });
    }
  }

  render() {
    if (!this.props.serviceId) return html`<p>Create a service first.</p>`;
    const rows = this.state.notifications.map((n) => html`<tr data-testid="notification-row" data-status=${n.status}>
      <td>${n.kind}</td><td class="wrap">${n.endpoint}</td><td><span class=${`badge ${n.status}`}>${n.status}</span></td>
      <td data-testid="attempts">${n.attempts}</td><td class="wrap">${n.lastError ?? ''}</td>
      <td>${iso(n.createdAt)}</td><td>${n.status === 'pending' ? iso(n.nextAttemptAt) : ''}</td><td>${iso(n.finishedAt)}</td>
      <td class="wrap"><small>${JSON.stringify(n.summary ?? {})}</small></td></tr>`);
    return html`<section>
      <${Notice} kind="error" text=${this.state.error} />
      <p class="muted">${this.state.totalCount} deliveries in all; the newest 100 are shown.</p>
      <${Table} caption="Notification deliveries" testid="notifications"
        head=${['Kind', 'Endpoint', 'Status', 'Attempts', 'Last error', 'Created', 'Next retry', 'Finished', 'Summary']} rows=${rows} />
      ${this.state.attempts ? html`<${Table} caption="Delivery attempts (last 24 h, newest 200 first)" testid="attempts"
        head=${['At', 'Request', 'Attempt', 'HTTP status', 'Outcome']}
        rows=${this.state.attempts.map((e) => html`<tr data-testid="attempt-row">
          <td>${iso(e.at)}</td><td>${e.authReqId ? html`<a href=${`#/audit/${encodeURIComponent(e.authReqId)}`}>${e.authReqId.slice(0, 12)}…</a>` : ''}</td>
          <td>${e.data?.attempt ?? ''}</td><td>${e.data?.status ?? ''}</td><td><span class=${`badge ${e.data?.outcome === 'delivered' ? 'delivered' : 'failed'}`}>${e.data?.outcome ?? ''}</span></td></tr>`)} />` : null}
    </section>`;
  }
}
