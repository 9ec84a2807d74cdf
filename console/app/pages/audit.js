import { api } from '../api.js';
import { describe, eventPage } from '../events.js';
import { Component, html, iso, Notice, Table } from '../ui.js';

const TYPES = ['backchannel.requested', 'user.identified', 'user.unknown', 'request.issued', 'device.notified', 'decision.recorded', 'request.expired',
  'tokens.issued', 'replay.detected', 'notification.attempt', 'security.refused', 'admin.changed', 'audit.checkpoint'];

/** A local date-time field's value as ISO-8601 UTC, or undefined. */
const toIso = (local) => (local ? new Date(local).toISOString() : undefined);

export class AuditPage extends Component {
  render() {
    const authReqId = this.props.args[0];
    return authReqId ? html`<${Evidence} key=${authReqId} serviceId=${this.props.serviceId} authReqId=${authReqId} />` : html`<${Trail} serviceId=${this.props.serviceId} />`;
  }
}

class Trail extends Component {
  state = { events: [], type: '', authReqId: '', clientId: '', since: '', until: '', limit: '100', cursor: undefined, nextCursor: undefined, first: 1, error: '' };

  componentDidMount() {
    this.load();
  }

  /** The first page for the filters, or (`next`) the page after the one shown, by the API's cursor. */
  async load(next = false) {
    if (!this.props.serviceId) return;
    const filters = {};
    for (const name of ['type', 'authReqId', 'clientId']) if (this.state[name].trim()) filters[name] = this.state[name].trim();
    for (const name of ['since', 'until']) if (toIso(this.state[name])) filters[name] = toIso(this.state[name]);
    const cursor = next ? this.state.nextCursor : undefined;
    try {
      const page = await eventPage(this.props.serviceId, filters, Number(this.state.limit), cursor);
      const first = next ? this.state.first + this.state.events.length : 1;
      this.setState({ events: page.events ?? [], nextCursor: page.nextCursor, first, error: '' });
    } catch (error) {
      this.setState({ error: error.message });
    }
  }

  input(name, label, type = 'text') {
    return html`<div class="field"><label for=${`ev-${name}`}>${label}</label>
      <input id=${`ev-${name}`} type=${type} value=${this.state[name]} onInput=${(e) => this.setState({ [name]: e.currentTarget.value })} /></div>`;
  }

  render() {
    if (!this.props.serviceId) return html`<p>Create a service first.</p>`;
    const rows = this.state.events.map((e) => html`<tr data-testid="event-row">
      <td>${e.seq ?? ''}</td><td>${iso(e.at)}</td><td>${e.type}</td>
      <td>${e.authReqId ? html`<a href=${`#/audit/${encodeURIComponent(e.authReqId)}`}>${e.authReqId.slice(0, 12)}…</a>` : ''}</td>
      <td>${e.clientId ?? ''}</td><td>${e.subject ?? ''}</td><td class="wrap">${describe(e)}</td></tr>`);
    return html`<section>
      <form class="filters" aria-label="Filter events" onSubmit=${(e) => { e.preventDefault(); this.load(); }}>
        <div class="field"><label for="ev-type">Type</label>
          <select id="ev-type" value=${this.state.type} onChange=${(e) => this.setState({ type: e.currentTarget.value })}>
            <option value="">any</option>${TYPES.map((t) => html`<option value=${t}>${t}</option>`)}</select></div>
        ${this.input('authReqId', 'auth_req_id')}${this.input('clientId', 'Client ID')}
        ${this.input('since', 'Since', 'datetime-local')}${this.input('until', 'Until', 'datetime-local')}
        <div class="field"><label for="ev-limit">Per page</label>
          <select id="ev-limit" value=${this.state.limit} onChange=${(e) => this.setState({ limit: e.currentTarget.value })}>
            ${['10', '100', '1000'].map((n) => html`<option value=${n}>${n}</option>`)}</select></div>
        <button type="submit">Apply</button>
      </form>
      <${Notice} kind="error" text=${this.state.error} />
      <${Table} caption="Audit trail, oldest first" testid="events" head=${['Seq', 'At', 'Type', 'Request', 'Client', 'User', 'What']} rows=${rows} />
      <p class="muted" data-testid="events-range">${this.state.events.length ? `Events ${this.state.first}–${this.state.first + this.state.events.length - 1}${this.state.nextCursor ? ', more after these' : ''}.` : ''}</p>
      ${this.state.first > 1 ? html`<button type="button" class="secondary" onClick=${() => this.load()}>First page</button>` : null}
      ${this.state.nextCursor ? html`<button type="button" onClick=${() => this.load(true)}>Next page</button>` : null}
    </section>`;
  }
}

class Evidence extends Component {
  state = { evidence: undefined, error: '' };

  async componentDidMount() {
    try {
      const path = `/admin/services/${this.props.serviceId}/requests/${encodeURIComponent(this.props.authReqId)}/evidence`;
      this.setState({ evidence: await api('GET', path) });
    } catch (error) {
      this.setState({ error: error.status === 404 ? 'No such request in the audit trail.' : error.message });
    }
  }

  download() {
    const blob = new Blob([JSON.stringify(this.state.evidence, null, 2)], { type: 'application/json' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `evidence-${this.props.authReqId}.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  render() {
    const { evidence } = this.state;
    const chain = evidence?.chain;
    return html`<section>
      <p><a href="#/audit">← Audit trail</a></p>
      <h2>Evidence of <code class="wrap">${this.props.authReqId}</code></h2>
      <${Notice} kind="error" text=${this.state.error} />
      ${evidence ? html`
        <p data-testid="chain" class=${chain?.verified ? 'ok' : 'bad'}>
          Hash chain ${chain?.verified ? 'verified' : 'NOT verified'}${chain?.fromSeq !== undefined ? ` (events ${chain.fromSeq}–${chain.toSeq})` : ''}${chain?.headHash ? `, head ${chain.headHash.slice(0, 16)}…` : ''}</p>
        <ol class="timeline" data-testid="timeline">${evidence.events.map((e) => html`
          <li><time datetime=${e.at}>${iso(e.at)}</time> <strong>${e.type}</strong> <span>${describe(e)}</span></li>`)}</ol>
        <button type="button" onClick=${() => this.download()}>Download JSON</button>` : null}
    </section>`;
  }
}
