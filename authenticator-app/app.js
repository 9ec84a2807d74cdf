import { decisionChallenge, detailElements, el, renderDetail, timeLeft } from './render.js';

// The authenticator app: enrol with a one-time link, then approve or deny requests with the
// passkey. The device token (from enrolment) is kept in this origin's storage.
const STORE = 'openciba.authenticator.device';
const main = document.getElementById('main');
const status = document.getElementById('status');
let timer;

const device = () => JSON.parse(localStorage.getItem(STORE) || 'null');
const say = (text) => { status.textContent = text; };

async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  const d = device();
  if (d) headers.authorization = `Bearer ${d.deviceToken}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`api/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = res.status === 204 ? {} : await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(json.error_description || `HTTP ${res.status}`), { status: res.status, error: json.error });
  return json;
}

function show(...nodes) {
  clearInterval(timer);
  main.replaceChildren(...nodes.filter(Boolean));
}

async function enrol(code) {
  show(el('div', { class: 'card' },
    el('p', { text: 'Enrol this device: it will hold a passkey that approves your requests.' }),
    el('button', { class: 'approve', 'data-testid': 'enrol', onclick: async () => {
      try {
        say('Creating a passkey…');
        const start = await api('enrol/start', { method: 'POST', body: { code } });
        const response = await SimpleWebAuthnBrowser.startRegistration({ optionsJSON: start.options });
        const done = await api('enrol/finish', { method: 'POST', body: { code, challengeId: start.challengeId, response, label: navigator.platform || 'Authenticator' } });
        localStorage.setItem(STORE, JSON.stringify({ deviceToken: done.deviceToken, deviceId: done.deviceId, subject: done.subject }));
        history.replaceState(null, '', location.pathname);
        say(await subscribe(start.vapidPublicKey));
        home();
      } catch (error) {
        say(`Enrolment failed: ${error.message}`);
      }
    } }, 'Create passkey')));
}

/** Web Push: register the worker and subscribe; without push, the home page lists requests itself. */
async function subscribe(vapidPublicKey) {
  try {
    const registration = await navigator.serviceWorker.register('sw.js');
    await navigator.serviceWorker.ready;
    const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: vapidPublicKey });
    await api('push/subscribe', { method: 'POST', body: subscription.toJSON() });
    return 'Enrolled. You will be notified of new requests.';
  } catch {
    return 'Enrolled. Notifications are not available here: keep this page open to see requests.';
  }
}

async function home() {
  if (!device()) return show(el('p', { text: 'This device is not enrolled. Open the enrolment link you were given.' }));
  const list = el('ul', { class: 'plain', 'data-testid': 'requests' });
  const devices = el('ul', { class: 'plain', 'data-testid': 'devices' });
  show(el('div', { class: 'card' }, el('h2', { text: 'Pending requests' }), list), el('div', { class: 'card' }, el('h2', { text: 'Your devices' }), devices));
  const refresh = async () => {
    try {
      const { requests } = await api('requests');
      list.replaceChildren(...(requests.length ? requests.map((r) => el('li', {},
        el('span', { text: r.clientName || 'A request' }),
        el('button', { class: 'deny', 'data-testid': 'open-request', onclick: () => { location.hash = `#r/${r.handle}`; } }, 'Review'))) : [el('li', { class: 'muted', text: 'Nothing to approve.' })]));
    } catch (error) {
      if (error.status === 401) { localStorage.removeItem(STORE); home(); }
    }
  };
  const mine = await api('devices').catch(() => ({ devices: [] }));
  devices.replaceChildren(...mine.devices.map((d) => el('li', {},
    el('span', { text: `${d.label}${d.id === mine.thisDevice ? ' (this device)' : ''}` }),
    el('button', { class: 'deny', 'data-testid': 'revoke-device', onclick: async () => { await api(`devices/${d.id}`, { method: 'DELETE' }); if (d.id === mine.thisDevice) localStorage.removeItem(STORE); home(); } }, 'Revoke'))));
  await refresh();
  timer = setInterval(refresh, 3000);
}

async function review(handle) {
  let view;
  try {
    view = await api(`requests/${handle}`);
  } catch (error) {
    say(error.message);
    return home();
  }
  const { tx } = view;
  say('');
  // The passkey must sign what is shown: refuse if the server's challenge is not the digest of this tx.
  if ((await decisionChallenge(tx, 'approve')) !== view.options.challenge || (await decisionChallenge(tx, 'deny')) !== view.denyChallenge) {
    say('This request does not match its signature challenge; it was not shown.');
    return home();
  }
  let picked;
  const left = el('div', { class: 'muted', 'data-testid': 'time-left', text: timeLeft(tx.expires_at) });
  const card = el('div', { class: 'card', 'data-testid': 'request' },
    view.clientLogoUri ? el('img', { class: 'logo', 'data-testid': 'client-logo', src: view.clientLogoUri, alt: '', referrerpolicy: 'no-referrer', width: '48', height: '48' }) : null,
    el('div', { class: 'client', 'data-testid': 'client-name', text: view.clientName || `Client ${tx.client_id}` }),
    tx.binding_message ? el('div', { class: 'binding', 'data-testid': 'binding-message', text: view.displayBindingMessage || tx.binding_message }) : null,
    el('div', { class: 'muted', 'data-testid': 'scopes', text: `Access: ${tx.scopes.join(' ')}` }),
    left);
  const details = detailElements(tx.authorization_details).map(renderDetail);
  const choices = view.numberChoices ? el('div', { class: 'choices', 'data-testid': 'number-choices' }, ...view.numberChoices.map((n) => {
    const b = el('button', { 'aria-pressed': 'false', onclick: () => { picked = n; for (const o of b.parentNode.children) o.setAttribute('aria-pressed', String(o === b)); } }, n);
    return b;
  })) : null;
  const decide = async (decision) => {
    try {
      if (view.numberChoices && decision === 'approve' && picked === undefined) return say('Pick the number shown where you started.');
      say(decision === 'approve' ? 'Approving…' : 'Denying…');
      const optionsJSON = decision === 'approve' ? view.options : { ...view.options, challenge: view.denyChallenge };
      const response = await SimpleWebAuthnBrowser.startAuthentication({ optionsJSON });
      await api(`requests/${handle}/decision`, { method: 'POST', body: { challengeId: view.challengeId, decision, response, ...(picked !== undefined ? { number: picked } : {}) } });
      say(decision === 'approve' ? 'Approved.' : 'Denied.');
    } catch (error) {
      say(`Not recorded: ${error.message}`);
    }
    history.replaceState(null, '', location.pathname);
    home();
  };
  show(card, ...details, choices ? el('div', { class: 'card' }, el('p', { text: 'Which number do you see where you started?' }), choices) : null,
    el('button', { class: 'approve', 'data-testid': 'approve', onclick: () => decide('approve') }, 'Approve'),
    el('button', { class: 'deny', 'data-testid': 'deny', onclick: () => decide('deny') }, 'Deny'),
    el('button', { class: 'notme', 'data-testid': 'not-me', onclick: async () => {
      try { await api(`requests/${handle}/not-me`, { method: 'POST', body: {} }); say('Reported. The request was denied.'); } catch (error) { say(error.message); }
      history.replaceState(null, '', location.pathname);
      home();
    } }, "This wasn't me"));
  timer = setInterval(() => { left.textContent = timeLeft(tx.expires_at); }, 1000);
}

function route() {
  const hash = location.hash;
  if (hash.startsWith('#enrol=')) return enrol(decodeURIComponent(hash.slice(7)));
  if (hash.startsWith('#r/')) return review(hash.slice(3));
  return home();
}

window.addEventListener('hashchange', route);
navigator.serviceWorker?.addEventListener('message', (event) => { if (event.data && event.data.type === 'ciba' && !location.hash) home(); });
route();
