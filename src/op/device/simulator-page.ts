/**
 * The device simulator: pick a user, see their pending requests, approve or deny. Plain HTML
 * and a little script over the simulator's JSON API; nothing to build.
 */
export function simulatorPage(options: { issuer: string; needsToken: boolean }): string {
  const config = JSON.stringify({ api: `${options.issuer}/device/api`, needsToken: options.needsToken }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OpenCIBA device simulator</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; color: #1b1f24; }
  h1 { font-size: 1.4rem; } .muted { color: #57606a; font-size: .9rem; }
  .card { border: 1px solid #d0d7de; border-radius: 8px; padding: 1rem; margin: .75rem 0; }
  .binding { font-size: 1.3rem; font-weight: 600; margin: .4rem 0; }
  button { font-size: 1rem; padding: .45rem 1rem; margin-right: .5rem; border-radius: 6px; border: 1px solid #d0d7de; cursor: pointer; }
  .approve { background: #1f883d; color: #fff; border-color: #1a7f37; } .deny { background: #cf222e; color: #fff; border-color: #a40e26; }
  #status { min-height: 1.5rem; } label { margin-right: .5rem; }
</style>
</head>
<body>
<h1>Authentication device simulator</h1>
<p class="muted">Approve or deny backchannel authentication requests as the chosen user would on their phone.</p>
<div id="token-row" hidden><label for="token">Admin token</label><input id="token" type="password" autocomplete="off"> <button id="save-token">Use</button></div>
<p><label for="user">User</label><select id="user" data-testid="user-select"></select> <button id="refresh">Refresh</button></p>
<div id="status" role="status"></div>
<div id="requests" data-testid="requests"></div>
<script>
const CONFIG = ${config};
const $ = (id) => document.getElementById(id);
const token = () => sessionStorage.getItem('openciba-admin-token') || '';
async function call(path, init = {}) {
  const headers = { accept: 'application/json' };
  if (CONFIG.needsToken) headers.authorization = 'Bearer ' + token();
  const response = await fetch(CONFIG.api + path, { ...init, headers });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error_description || body.error || ('HTTP ' + response.status));
  return body;
}
function text(tag, value, className) { const el = document.createElement(tag); el.textContent = value; if (className) el.className = className; return el; }
async function loadUsers() {
  const { users } = await call('/users');
  const select = $('user');
  select.replaceChildren(...users.map((u) => { const o = document.createElement('option'); o.value = u.subject; o.textContent = u.name ? u.subject + ' — ' + u.name : u.subject; return o; }));
  const remembered = sessionStorage.getItem('openciba-user');
  if (remembered && users.some((u) => u.subject === remembered)) select.value = remembered;
}
async function loadRequests() {
  const subject = $('user').value;
  if (!subject) return;
  sessionStorage.setItem('openciba-user', subject);
  const { requests } = await call('/requests?subject=' + encodeURIComponent(subject));
  const list = $('requests');
  if (requests.length === 0) { list.replaceChildren(text('p', 'No pending requests for ' + subject + '.', 'muted')); return; }
  list.replaceChildren(...requests.map((r) => {
    const card = document.createElement('div'); card.className = 'card'; card.dataset.testid = 'request';
    card.append(text('div', r.clientName || ('Client ' + r.clientId)));
    if (r.bindingMessage) card.append(text('div', r.bindingMessage, 'binding'));
    card.append(text('div', 'Scopes: ' + r.scopes.join(' '), 'muted'));
    const left = text('div', '', 'muted'); left.dataset.expiresAt = r.expiresAt; card.append(left);
    const approve = text('button', 'Approve', 'approve'); approve.onclick = () => decide(r.id, 'allow');
    const deny = text('button', 'Deny', 'deny'); deny.onclick = () => decide(r.id, 'deny');
    card.append(approve, deny);
    return card;
  }));
  tick();
}
async function decide(id, decision) {
  try {
    const { result } = await call('/requests/' + encodeURIComponent(id) + '/' + decision, { method: 'POST' });
    $('status').textContent = result === 'AUTHORIZED' ? 'Approved.' : 'Denied.';
  } catch (error) { $('status').textContent = error.message; }
  await loadRequests();
}
function tick() {
  for (const el of document.querySelectorAll('[data-expires-at]')) {
    const seconds = Math.max(0, Math.round((Number(el.dataset.expiresAt) - Date.now()) / 1000));
    el.textContent = seconds > 0 ? 'Expires in ' + seconds + ' s' : 'Expired';
  }
}
async function start() {
  try { await loadUsers(); await loadRequests(); $('status').textContent = ''; } catch (error) { $('status').textContent = error.message; }
}
$('user').onchange = () => loadRequests().catch((e) => { $('status').textContent = e.message; });
$('refresh').onclick = () => loadRequests().catch((e) => { $('status').textContent = e.message; });
if (CONFIG.needsToken) {
  $('token-row').hidden = false;
  $('save-token').onclick = () => { sessionStorage.setItem('openciba-admin-token', $('token').value); start(); };
}
setInterval(tick, 1000);
setInterval(() => loadRequests().catch(() => {}), 3000);
start();
</script>
</body>
</html>`;
}
