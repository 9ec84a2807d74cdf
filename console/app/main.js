import { render, uPlotCss } from '../vendor.js';
import { api, session } from './api.js';
import { Component, html, Notice } from './ui.js';
import { ServicesPage } from './pages/services.js';
import { ClientsPage } from './pages/clients.js';
import { UsersPage } from './pages/users.js';
import { RequestsPage } from './pages/requests.js';
import { NotificationsPage } from './pages/notifications.js';
import { AuditPage } from './pages/audit.js';
import { DashboardPage } from './pages/dashboard.js';
import { KeysPage } from './pages/keys.js';

const PAGES = [
  ['dashboard', 'Dashboard', DashboardPage],
  ['services', 'Services', ServicesPage],
  ['clients', 'Clients', ClientsPage],
  ['users', 'Users', UsersPage],
  ['requests', 'Live requests', RequestsPage],
  ['notifications', 'Notifications', NotificationsPage],
  ['audit', 'Audit', AuditPage],
  ['keys', 'Keys', KeysPage],
];

/** `#/requests` → ['requests'], `#/audit/<authReqId>` → ['audit', '<authReqId>']. */
const route = () => location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);

class SignIn extends Component {
  state = { token: '', error: '' };

  async submit(event) {
    event.preventDefault();
    const token = this.state.token.trim();
    if (!token) return this.setState({ error: 'Enter the organization token or a service access token.' });
    try {
      // The token is kept only once the server has accepted it.
      const list = await api('GET', '/api/service/get/list', undefined, token);
      session.signIn(token);
      this.props.onSignedIn(list.services ?? []);
    } catch (error) {
      this.setState({ error: error.status === 401 ? 'The server does not know this token.' : error.message });
    }
  }

  render() {
    return html`<main class="signin">
      <h1>OpenCIBA console</h1>
      <form onSubmit=${(e) => this.submit(e)} novalidate aria-label="Sign in">
        <label for="token">Organization token or service access token</label>
        <input id="token" type="password" autocomplete="off" value=${this.state.token} onInput=${(e) => this.setState({ token: e.currentTarget.value })} />
        <small>Kept in this tab only (session storage) and sent as a Bearer header; closing the tab or signing out forgets it.</small>
        <${Notice} kind="error" text=${this.state.error} />
        <button type="submit">Sign in</button>
      </form>
    </main>`;
  }
}

class App extends Component {
  state = { signedIn: Boolean(session.token()), services: [], serviceId: session.service(), route: route(), error: '' };

  componentDidMount() {
    this.onHash = () => this.setState({ route: route(), flash: '' });
    addEventListener('hashchange', this.onHash);
    if (this.state.signedIn) this.reloadServices();
  }

  componentWillUnmount() {
    removeEventListener('hashchange', this.onHash);
  }

  async reloadServices() {
    try {
      const list = await api('GET', '/api/service/get/list');
      this.useServices(list.services ?? []);
    } catch (error) {
      if (error.status === 401) this.signOut();
      else this.setState({ error: error.message });
    }
  }

  useServices(services) {
    const ids = services.map((s) => String(s.apiKey));
    const serviceId = ids.includes(this.state.serviceId) ? this.state.serviceId : ids[0];
    if (serviceId) session.chooseService(serviceId);
    this.setState({ signedIn: true, services, serviceId, error: '' });
  }

  chooseService(id) {
    session.chooseService(id);
    this.setState({ serviceId: id, flash: '' });
  }

  /** After a page created or changed a service: the list again, that service chosen, and a word that outlives the page. */
  async servicesChanged(chosen, flash) {
    await this.reloadServices();
    if (chosen) this.chooseService(String(chosen));
    if (flash) this.setState({ flash });
  }

  signOut() {
    session.signOut();
    this.setState({ signedIn: false, services: [], serviceId: undefined });
    location.hash = '';
  }

  render() {
    if (!this.state.signedIn) return html`<${SignIn} onSignedIn=${(services) => this.useServices(services)} />`;
    const [name = 'dashboard', ...rest] = this.state.route;
    const page = PAGES.find(([key]) => key === name) ?? PAGES[0];
    const Page = page[2];
    const service = this.state.services.find((s) => String(s.apiKey) === this.state.serviceId);
    return html`<div class="shell">
      <a class="skip" href="#main">Skip to content</a>
      <header>
        <span class="brand">OpenCIBA</span>
        <label for="service-select" class="sr-only">Service</label>
        <select id="service-select" value=${this.state.serviceId ?? ''} onChange=${(e) => this.chooseService(e.currentTarget.value)}>
          ${this.state.services.length === 0 ? html`<option value="">No service yet</option>` : null}
          ${this.state.services.map((s) => html`<option value=${String(s.apiKey)}>${s.serviceName ?? 'service'} (${s.apiKey})</option>`)}
        </select>
        <button type="button" class="secondary" onClick=${() => this.signOut()}>Sign out</button>
      </header>
      <nav aria-label="Pages"><ul>${PAGES.map(([key, label]) => html`
        <li><a href=${`#/${key}`} aria-current=${key === page[0] ? 'page' : undefined}>${label}</a></li>`)}</ul></nav>
      <main id="main" tabindex="-1">
        <h1>${page[1]}</h1>
        <${Notice} kind="error" text=${this.state.error} />
        <${Notice} text=${this.state.flash} />
        <${Page} key=${`${page[0]}:${this.state.serviceId}`} serviceId=${this.state.serviceId} service=${service} args=${rest}
          services=${this.state.services} onServicesChanged=${(chosen, flash) => this.servicesChanged(chosen, flash)} />
      </main>
    </div>`;
  }
}

// uPlot's stylesheet sits with its versioned files; a <link> keeps it a file (style-src 'self').
const link = document.createElement('link');
link.rel = 'stylesheet';
link.href = new URL(uPlotCss, new URL('../vendor.js', import.meta.url)).href;
document.head.append(link);

const root = document.getElementById('root');
root.replaceChildren(); // the "Loading" line: render() keeps nodes it did not make
render(html`<${App} />`, root);
