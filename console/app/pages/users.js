import { api } from '../api.js';
import { Component, Form, html, iso, Notice, Table } from '../ui.js';
import { UserDevices } from './user-devices.js';

const USER_FIELDS = [
  { name: 'subject', label: 'Subject (user id)', type: 'text' },
  { name: 'name', label: 'Name', type: 'text' },
  { name: 'email', label: 'Email', type: 'text' },
  { name: 'phone_number', label: 'Phone number', type: 'text' },
  { name: 'userCode', label: 'User code', type: 'text', help: 'Stored hashed. The directory replaces a user as a whole: enter it again to keep one.' },
];

const path = (serviceId, subject) => `/admin/services/${serviceId}/users/${encodeURIComponent(subject)}`;
/** What a PUT should carry to keep a user as she is (claims, email, phone), besides what changes. */
const claimsOf = ({ subject, status, hasUserCode, createdAt, modifiedAt, ...claims }) => claims;

export class UsersPage extends Component {
  state = { users: [], editing: undefined, creating: false, devicesOf: undefined, notice: '', error: '' };

  componentDidMount() {
    this.load();
  }

  async load() {
    if (!this.props.serviceId) return;
    try {
      const list = await api('GET', `/admin/services/${this.props.serviceId}/users?start=0&end=200`);
      this.setState({ users: list.users ?? [], error: '' });
    } catch (error) {
      this.setState({ error: error.message });
    }
  }

  async save(values, status) {
    const { subject = '', ...user } = values;
    if (!subject) throw new Error("'subject' is required.");
    await api('PUT', path(this.props.serviceId, subject), { ...user, ...(status ? { status } : {}) });
    this.setState({ creating: false, editing: undefined, notice: `User ${subject} saved.` });
    await this.load();
  }

  async act(user, action) {
    try {
      if (action === 'delete') {
        if (!confirm(`Delete user ${user.subject}? Her tokens are revoked.`)) return;
        await api('DELETE', path(this.props.serviceId, user.subject));
      } else {
        // The status route keeps her claims and user code as they are.
        await api('PUT', `${path(this.props.serviceId, user.subject)}/status`, { status: action === 'lock' ? 'locked' : 'active' });
      }
      this.setState({ notice: `User ${user.subject}: ${action} done.`, error: '' });
      await this.load();
    } catch (error) {
      this.setState({ error: error.message });
    }
  }

  render() {
    if (!this.props.serviceId) return html`<p>Create a service first.</p>`;
    const rows = this.state.users.map((u) => html`<tr data-testid="user-row">
      <td>${u.subject}</td><td>${u.name ?? ''}</td><td>${u.email ?? ''}</td><td>${u.status}</td><td>${u.hasUserCode ? 'yes' : 'no'}</td><td>${iso(u.modifiedAt)}</td>
      <td><button type="button" class="link" aria-label=${`Edit ${u.subject}`} onClick=${() => this.setState({ editing: u, creating: false })}>Edit</button>
        <button type="button" class="link" aria-label=${`${u.status === 'locked' ? 'Unlock' : 'Lock'} ${u.subject}`} onClick=${() => this.act(u, u.status === 'locked' ? 'unlock' : 'lock')}>${u.status === 'locked' ? 'Unlock' : 'Lock'}</button>
        <button type="button" class="link" aria-label=${`Devices of ${u.subject}`} onClick=${() => this.setState({ devicesOf: u.subject })}>Devices</button>
        <button type="button" class="link danger" aria-label=${`Delete ${u.subject}`} onClick=${() => this.act(u, 'delete')}>Delete</button></td></tr>`);
    const editing = this.state.editing;
    return html`<section>
      <${Notice} text=${this.state.notice} />
      <${Notice} kind="error" text=${this.state.error} />
      <${Table} caption="Users of the built-in directory" testid="users" head=${['Subject', 'Name', 'Email', 'Status', 'User code', 'Modified', '']} rows=${rows} />
      ${this.state.creating
        ? html`<${Form} id="user-create" title="New user" submitLabel="Add user" fields=${USER_FIELDS} onSubmit=${(v) => this.save(v)} onCancel=${() => this.setState({ creating: false })} />`
        : html`<button type="button" onClick=${() => this.setState({ creating: true, editing: undefined })}>Add user</button>`}
      ${editing ? html`<${Form} key=${`u${editing.subject}`} id="user-edit" title=${`User ${editing.subject}`} fields=${USER_FIELDS}
          initial=${editing} onSubmit=${(v) => this.save({ ...claimsOf(editing), ...v, subject: editing.subject }, editing.status)} onCancel=${() => this.setState({ editing: undefined })} />` : null}
      ${this.state.devicesOf ? html`<${UserDevices} key=${`d${this.state.devicesOf}`} serviceId=${this.props.serviceId} subject=${this.state.devicesOf}
          onClose=${() => this.setState({ devicesOf: undefined })} />` : null}
    </section>`;
  }
}
