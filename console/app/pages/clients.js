import { api } from '../api.js';
import { Component, Form, html, Notice, Table } from '../ui.js';

const AUTH_METHODS = ['CLIENT_SECRET_BASIC', 'CLIENT_SECRET_POST', 'CLIENT_SECRET_JWT', 'PRIVATE_KEY_JWT', 'TLS_CLIENT_AUTH', 'SELF_SIGNED_TLS_CLIENT_AUTH', 'NONE'];
const ASYMMETRIC = ['RS256', 'PS256', 'ES256', 'EdDSA'];

export const CLIENT_FIELDS = [
  { name: 'clientName', label: 'Client name', type: 'text' },
  { name: 'clientType', label: 'Client type', type: 'select', options: ['CONFIDENTIAL', 'PUBLIC'] },
  { name: 'bcDeliveryMode', label: 'Token delivery mode', type: 'select', options: ['POLL', 'PING', 'PUSH'] },
  { name: 'bcNotificationEndpoint', label: 'Client notification endpoint', type: 'text', help: 'Required for ping and push.' },
  { name: 'tokenAuthMethod', label: 'Token endpoint authentication', type: 'select', options: AUTH_METHODS },
  { name: 'jwksUri', label: 'JWK Set URI', type: 'text' },
  { name: 'jwks', label: 'JWK Set (paste)', type: 'textarea' },
  { name: 'bcRequestSignAlg', label: 'Request object signing algorithm', type: 'select', optional: true, options: ASYMMETRIC },
  { name: 'idTokenSignAlg', label: 'ID token signing algorithm', type: 'select', optional: true, options: ASYMMETRIC },
  { name: 'tlsClientAuthSubjectDn', label: 'Certificate subject DN (tls_client_auth)', type: 'text' },
  { name: 'tlsClientCertificateBoundAccessTokens', label: 'Certificate-bound access tokens (RFC 8705)', type: 'checkbox' },
  { name: 'dpopRequired', label: 'DPoP required (RFC 9449)', type: 'checkbox' },
];

export class ClientsPage extends Component {
  state = { clients: [], editing: undefined, creating: false, secret: undefined, notice: '', error: '' };

  componentDidMount() {
    this.load();
  }

  async load() {
    if (!this.props.serviceId) return;
    try {
      const list = await api('GET', `/api/${this.props.serviceId}/client/get/list`);
      this.setState({ clients: list.clients ?? [], error: '' });
    } catch (error) {
      this.setState({ error: error.message });
    }
  }

  async create(values) {
    const created = await api('POST', `/api/${this.props.serviceId}/client/create`, values);
    // The secret is shown here, once; the lists and the edit form never show it.
    this.setState({ creating: false, secret: { clientId: created.clientId, value: created.clientSecret }, notice: `Client ${created.clientId} created.` });
    await this.load();
  }

  async update(values) {
    const { clientId, clientSecret, createdAt, modifiedAt, number, serviceNumber, ...current } = this.state.editing;
    for (const field of CLIENT_FIELDS) delete current[field.name];
    await api('POST', `/api/${this.props.serviceId}/client/update/${clientId}`, { ...current, ...values });
    this.setState({ editing: undefined, notice: `Client ${clientId} saved.` });
    await this.load();
  }

  async rotate(client) {
    if (!confirm(`Rotate the secret of client ${client.clientId}? The current secret stops working at once.`)) return;
    try {
      const answer = await api('GET', `/api/${this.props.serviceId}/client/secret/refresh/${client.clientId}`);
      // Shown once, as at creation: the new secret is in no list and no form.
      this.setState({ editing: undefined, creating: false, secret: { clientId: client.clientId, value: answer.newClientSecret }, notice: `The secret of client ${client.clientId} was rotated.`, error: '' });
    } catch (error) {
      this.setState({ error: error.message });
    }
  }

  async remove(client) {
    if (!confirm(`Delete client ${client.clientId}?`)) return;
    try {
      await api('DELETE', `/api/${this.props.serviceId}/client/delete/${client.clientId}`);
      this.setState({ notice: `Client ${client.clientId} deleted.` });
      await this.load();
    } catch (error) {
      this.setState({ error: error.message });
    }
  }

  render() {
    if (!this.props.serviceId) return html`<p>Create a service first.</p>`;
    const rows = this.state.clients.map((c) => html`<tr data-testid="client-row">
      <td>${c.clientId}</td><td>${c.clientName}</td><td>${c.bcDeliveryMode}</td><td class="wrap">${c.bcNotificationEndpoint ?? ''}</td><td>${c.tokenAuthMethod}</td>
      <td><button type="button" class="link" aria-label=${`Edit client ${c.clientId}`} onClick=${() => this.setState({ editing: c, creating: false, secret: undefined })}>Edit</button>
        <button type="button" class="link" aria-label=${`Rotate the secret of client ${c.clientId}`} onClick=${() => this.rotate(c)}>Rotate secret</button>
        <button type="button" class="link danger" aria-label=${`Delete client ${c.clientId}`} onClick=${() => this.remove(c)}>Delete</button></td></tr>`);
    const { editing, secret } = this.state;
    return html`<section>
      <${Notice} text=${this.state.notice} />
      <${Notice} kind="error" text=${this.state.error} />
      ${secret ? html`<div class="secret" role="status" data-testid="client-secret">
        <p>Client secret of ${secret.clientId} (shown once — copy it now):</p><code>${secret.value}</code>
        <button type="button" class="secondary" onClick=${() => this.setState({ secret: undefined })}>I have copied it</button></div>` : null}
      <${Table} caption="Clients" testid="clients" head=${['ID', 'Name', 'Delivery', 'Notification endpoint', 'Authentication', '']} rows=${rows} />
      ${this.state.creating
        ? html`<${Form} id="client-create" title="New client" submitLabel="Create client" fields=${CLIENT_FIELDS}
            initial=${{ clientType: 'CONFIDENTIAL', bcDeliveryMode: 'POLL', tokenAuthMethod: 'CLIENT_SECRET_BASIC' }}
            onSubmit=${(v) => this.create(v)} onCancel=${() => this.setState({ creating: false })} />`
        : html`<button type="button" onClick=${() => this.setState({ creating: true, editing: undefined, secret: undefined, notice: '' })}>New client</button>`}
      ${editing ? html`<${Form} key=${`c${editing.clientId}`} id="client-edit" title=${`Client ${editing.clientId}`} fields=${CLIENT_FIELDS}
          initial=${editing} onSubmit=${(v) => this.update(v)} onCancel=${() => this.setState({ editing: undefined })} />
        <p class="muted" data-testid="secret-rotation">The secret was shown once, at creation or at its last rotation. <em>Rotate secret</em> in the list
          replaces it with a new random one (Authlete's <code>GET /api/{serviceId}/client/secret/refresh/{clientIdentifier}</code>); the old one stops working at once.</p>` : null}
    </section>`;
  }
}
