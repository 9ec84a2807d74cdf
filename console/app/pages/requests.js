import { api } from '../api.js';
import { Component, html, iso, Notice, Table, timeLeft } from '../ui.js';

const POLL_MS = 2000;

/** Contract C, polled: new requests and decisions appear without a reload. */
export class RequestsPage extends Component {
  state = { requests: [], state: '', subject: '', clientId: '', error: '', updatedAt: undefined };

  componentDidMount() {
    this.load();
    this.timer = setInterval(() => this.load(), POLL_MS);
  }

  componentWillUnmount() {
    clearInterval(this.timer);
  }

  async load() {
    if (!this.props.serviceId) return;
    const query = new URLSearchParams({ limit: '100' });
    if (this.state.state) query.set('state', this.state.state);
    if (this.state.subject.trim()) query.set('subject', this.state.subject.trim());
    if (this.state.clientId.trim()) query.set('clientId', this.state.clientId.trim());
    try {
      const page = await api('GET', `/admin/services/${this.props.serviceId}/requests?${query}`);
      this.setState({ requests: page.requests ?? [], error: '', updatedAt: Date.now() });
    } catch (error) {
      this.setState({ error: error.message });
    }
  }

  filter(name, value) {
    this.setState({ [name]: value }, () => this.load());
  }

  render() {
    if (!this.props.serviceId) return html`<p>Create a service first.</p>`;
    const rows = this.state.requests.map((r) => html`<tr data-testid="request-row" data-state=${r.state}>
      <td><span class=${`badge ${r.state}`}>${r.state}</span></td>
      <td>${r.clientName ?? ''} <small>(${r.clientId})</small></td><td>${r.subject ?? ''}</td>
      <td class="wrap" data-testid="binding-message">${r.bindingMessage ?? ''}</td><td>${r.scopes.join(' ')}</td><td>${r.channel ?? ''}</td>
      <td>${iso(r.createdAt)}</td><td>${r.state === 'pending' ? timeLeft(r.expiresAt) : ''}</td>
      <td><a href=${`#/audit/${encodeURIComponent(r.authReqId)}`}>Evidence</a></td></tr>`);
    return html`<section>
      <form class="filters" aria-label="Filter requests" onSubmit=${(e) => { e.preventDefault(); this.load(); }}>
        <div class="field"><label for="rq-state">State</label>
          <select id="rq-state" value=${this.state.state} onChange=${(e) => this.filter('state', e.currentTarget.value)}>
            <option value="">any</option>${['pending', 'approved', 'denied', 'expired'].map((s) => html`<option value=${s}>${s}</option>`)}
          </select></div>
        <div class="field"><label for="rq-subject">User</label>
          <input id="rq-subject" value=${this.state.subject} onInput=${(e) => this.setState({ subject: e.currentTarget.value })} /></div>
        <div class="field"><label for="rq-client">Client ID</label>
          <input id="rq-client" inputmode="numeric" value=${this.state.clientId} onInput=${(e) => this.setState({ clientId: e.currentTarget.value })} /></div>
        <button type="submit">Apply</button>
      </form>
      <${Notice} kind="error" text=${this.state.error} />
      <p class="muted" aria-live="off">Refreshes every ${POLL_MS / 1000} s${this.state.updatedAt ? `; last at ${iso(this.state.updatedAt)}` : ''}.</p>
      <${Table} caption="Backchannel requests, newest first" testid="requests"
        head=${['State', 'Client', 'User', 'Binding message', 'Scopes', 'Channel', 'Created', 'Time left', '']} rows=${rows} />
    </section>`;
  }
}
