import { api } from '../api.js';
import { Component, html, iso, Notice, Table } from '../ui.js';

/** The service's signing keys and their rotation (contract B). */
export class KeysPage extends Component {
  state = { keys: [], alg: '', error: '', notice: '', busy: false };

  componentDidMount() {
    this.load();
  }

  async load() {
    if (!this.props.serviceId) return;
    try {
      const answer = await api('GET', `/admin/services/${this.props.serviceId}/keys`);
      this.setState({ keys: answer.keys ?? [], error: '' });
    } catch (error) {
      this.setState({ error: error.message });
    }
  }

  async rotate() {
    this.setState({ busy: true, notice: '', error: '' });
    try {
      const answer = await api('POST', `/admin/services/${this.props.serviceId}/keys/rotate`, this.state.alg ? { alg: this.state.alg } : {});
      this.setState({ keys: answer.keys ?? [], busy: false, notice: 'Rotated: the new keys are published now and sign from their activation time.' });
    } catch (error) {
      this.setState({ busy: false, error: error.message });
    }
  }

  render() {
    if (!this.props.serviceId) return html`<p>Create a service first.</p>`;
    const rows = this.state.keys.map((k) => html`<tr data-testid="key-row" data-state=${k.state}>
      <td><code>${k.kid}</code></td><td>${k.alg}</td><td>${k.use}</td><td><span class=${`badge ${k.state}`}>${k.state}</span></td>
      <td>${iso(k.createdAt)}</td><td>${iso(k.activatesAt)}</td><td>${iso(k.retiresAt)}</td></tr>`);
    return html`<section>
      <${Notice} text=${this.state.notice} />
      <${Notice} kind="error" text=${this.state.error} />
      <${Table} caption="Signing keys" testid="keys" head=${['Key ID', 'Algorithm', 'Use', 'State', 'Created', 'Activates', 'Retires']} rows=${rows} />
      <form class="filters" aria-label="Rotate the signing key" onSubmit=${(e) => { e.preventDefault(); this.rotate(); }}>
        <div class="field"><label for="key-alg">Algorithm of the new key</label>
          <select id="key-alg" value=${this.state.alg} onChange=${(e) => this.setState({ alg: e.currentTarget.value })}>
            <option value="">each algorithm with a current key</option>${['ES256', 'PS256', 'RS256', 'EdDSA'].map((a) => html`<option value=${a}>${a}</option>`)}
          </select></div>
        <button type="submit" disabled=${this.state.busy}>Rotate key</button>
      </form>
    </section>`;
  }
}
