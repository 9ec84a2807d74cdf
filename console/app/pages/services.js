import { api } from '../api.js';
import { Component, Form, html, Notice, Table } from '../ui.js';

const MODES = ['POLL', 'PING', 'PUSH'];

/** The CIBA settings an operator edits; every other member of the service is sent back as it was. */
export const SERVICE_FIELDS = [
  { name: 'serviceName', label: 'Service name', type: 'text' },
  { name: 'issuer', label: 'Issuer', type: 'text', help: 'Absolute URL; https in production.' },
  { name: 'supportedBackchannelTokenDeliveryModes', label: 'Token delivery modes', type: 'multi', options: MODES },
  { name: 'backchannelPollingInterval', label: 'Polling interval (seconds)', type: 'number' },
  { name: 'backchannelAuthReqIdDuration', label: 'auth_req_id lifetime (seconds)', type: 'number' },
  { name: 'backchannelUserCodeParameterSupported', label: 'User code supported', type: 'checkbox' },
  { name: 'backchannelBindingMessageRequiredInFapi', label: 'Binding message required under FAPI', type: 'checkbox' },
  { name: 'supportedServiceProfiles', label: 'Profiles', type: 'multi', options: ['FAPI'] },
  { name: 'tokenEndpoint', label: 'Token endpoint', type: 'text' },
  { name: 'backchannelAuthenticationEndpoint', label: 'Backchannel authentication endpoint', type: 'text' },
  { name: 'jwksUri', label: 'JWK Set URI', type: 'text' },
];

const FRONT_FIELDS = [
  { name: 'deviceChannel', label: 'Authentication device channel', type: 'select', options: ['simulator', 'webhook', 'embedded'] },
  { name: 'webhookUrl', label: 'Webhook URL', type: 'text' },
  { name: 'simulatorEnabled', label: 'Device simulator enabled', type: 'checkbox' },
  { name: 'bindingMessageMaxLength', label: 'Binding message maximum length', type: 'number' },
  { name: 'maxPendingRequestsPerUser', label: 'Pending requests per user (at once)', type: 'number' },
  { name: 'maxRequestsPerMinutePerUser', label: 'Requests per minute per user', type: 'number' },
  { name: 'maxRequestsPerMinutePerClient', label: 'Requests per minute per client', type: 'number' },
  { name: 'userCodeMaxFailuresPerUser', label: 'Wrong user codes per user before lockout', type: 'number' },
  { name: 'userCodeLockoutSeconds', label: 'User code lockout (seconds)', type: 'number' },
];

export class ServicesPage extends Component {
  state = { creating: false, service: undefined, front: undefined, notice: '', error: '' };

  componentDidMount() {
    this.load();
  }

  async load() {
    if (!this.props.serviceId) return;
    try {
      const [service, front] = await Promise.all([
        api('GET', `/api/${this.props.serviceId}/service/get`),
        api('GET', `/admin/services/${this.props.serviceId}/front`),
      ]);
      this.setState({ service, front, error: '' });
    } catch (error) {
      this.setState({ error: error.message });
    }
  }

  async create(values) {
    const created = await api('POST', '/api/service/create', values);
    this.setState({ creating: false });
    await this.props.onServicesChanged(created.apiKey, `Service ${created.apiKey} created.`);
  }

  async update(values) {
    // /service/update replaces the service: start from what it holds now.
    const { apiKey, createdAt, modifiedAt, number, ...current } = this.state.service;
    for (const field of SERVICE_FIELDS) delete current[field.name];
    const service = await api('POST', `/api/${this.props.serviceId}/service/update`, { ...current, ...values });
    this.setState({ service, notice: 'Service settings saved.' });
    this.props.onServicesChanged();
  }

  async updateFront(values) {
    const front = await api('PUT', `/admin/services/${this.props.serviceId}/front`, values);
    this.setState({ front, notice: front.webhookSecret ? `Front settings saved. Webhook secret (shown once): ${front.webhookSecret}` : 'Front settings saved.' });
  }

  render() {
    const { service, front } = this.state;
    const rows = this.props.services.map((s) => html`<tr>
      <td>${s.apiKey}</td><td>${s.serviceName}</td><td class="wrap">${s.issuer}</td>
      <td>${(s.supportedBackchannelTokenDeliveryModes ?? []).join(', ')}</td>
      <td>${String(s.apiKey) === this.props.serviceId ? 'selected' : html`<button type="button" class="link" onClick=${() => this.props.onServicesChanged(s.apiKey)}>Select</button>`}</td></tr>`);
    return html`<section>
      <${Notice} text=${this.state.notice} />
      <${Notice} kind="error" text=${this.state.error} />
      <${Table} caption="Services" testid="services" head=${['ID', 'Name', 'Issuer', 'Delivery modes', '']} rows=${rows} />
      ${this.state.creating
        ? html`<${Form} id="service-create" title="New service" submitLabel="Create service" fields=${SERVICE_FIELDS.slice(0, 5)}
            initial=${{ supportedBackchannelTokenDeliveryModes: MODES }} onSubmit=${(v) => this.create(v)} onCancel=${() => this.setState({ creating: false })} />`
        : html`<button type="button" onClick=${() => this.setState({ creating: true, notice: '' })}>New service</button>`}
      ${service ? html`<${Form} key=${`s${service.apiKey}:${service.modifiedAt}`} id="service-edit" title=${`CIBA settings of service ${service.apiKey}`}
          fields=${SERVICE_FIELDS} initial=${service} onSubmit=${(v) => this.update(v)} />` : null}
      ${front ? html`<${Form} key=${`f${JSON.stringify(front)}`} id="front-edit" title="Front: device channel and limits" fields=${FRONT_FIELDS}
          initial=${front} onSubmit=${(v) => this.updateFront(v)} />` : null}
    </section>`;
  }
}
