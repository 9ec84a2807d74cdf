import { api } from '../api.js';
import { Component, html, iso, Notice, Table } from '../ui.js';

/**
 * One user's authenticator devices (`GET/DELETE /admin/services/{id}/users/{subject}/devices`)
 * and a one-time enrolment link (`POST …/enrolments`). The link is a bearer credential until it
 * is used or expires, so it is shown once: dismissed, it is not kept anywhere in the page.
 */
export class UserDevices extends Component {
  state = { devices: undefined, enrolment: undefined, notice: '', error: '' };

  componentDidMount() {
    this.load();
  }

  base() {
    return `/admin/services/${this.props.serviceId}/users/${encodeURIComponent(this.props.subject)}`;
  }

  async load() {
    try {
      this.setState({ devices: (await api('GET', `${this.base()}/devices`)).devices ?? [], error: '' });
    } catch (error) {
      this.setState({ error: error.message });
    }
  }

  async enrol() {
    try {
      const issued = await api('POST', `${this.base()}/enrolments`, {});
      this.setState({ enrolment: { link: issued.link, expiresAt: issued.expiresAt }, notice: '', error: '' });
    } catch (error) {
      this.setState({ error: error.message });
    }
  }

  async revoke(device) {
    if (!confirm(`Revoke the device ${device.label}? Its passkey and push subscriptions stop working.`)) return;
    try {
      await api('DELETE', `${this.base()}/devices/${encodeURIComponent(device.id)}`);
      this.setState({ notice: `Device ${device.label} revoked.`, error: '' });
    } catch (error) {
      this.setState({ error: error.message });
    }
    await this.load();
  }

  dismiss() {
    // The user may have enrolled meanwhile: read the list again.
    this.setState({ enrolment: undefined });
    this.load();
  }

  render() {
    const { devices, enrolment, notice, error } = this.state;
    const subject = this.props.subject;
    const rows = (devices ?? []).map((d) => html`<tr data-testid="device-row">
      <td>${d.label}</td><td>${iso(d.createdAt)}</td><td>${iso(d.lastUsedAt)}</td><td>${d.synced ? 'yes' : 'no'}</td><td><code>${d.aaguid}</code></td>
      <td><button type="button" class="link danger" aria-label=${`Revoke ${d.label}`} onClick=${() => this.revoke(d)}>Revoke</button></td></tr>`);
    return html`<section id="user-devices" aria-labelledby="user-devices-title">
      <h2 id="user-devices-title">Authenticator devices of ${subject}</h2>
      <${Notice} text=${notice} />
      <${Notice} kind="error" text=${error} />
      ${devices && devices.length === 0 ? html`<p>No enrolled device.</p>` : null}
      ${devices && devices.length > 0 ? html`<${Table} caption=${`Devices of ${subject}`} testid="devices" head=${['Label', 'Enrolled', 'Last used', 'Synced passkey', 'AAGUID', '']} rows=${rows} />` : null}
      <div class="buttons">${enrolment ? html`<div class="secret" role="status" data-testid="enrolment-link">
          <p>Enrolment link for ${subject} (shown once, valid until ${iso(enrolment.expiresAt)}; send it to her phone now):</p><code class="wrap">${enrolment.link}</code>
          <button type="button" class="secondary" onClick=${() => this.dismiss()}>I have sent it</button></div>`
        : html`<button type="button" onClick=${() => this.enrol()}>Issue an enrolment link</button>`}
      <button type="button" class="secondary" onClick=${() => this.props.onClose()}>Close</button></div>
    </section>`;
  }
}
