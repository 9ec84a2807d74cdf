// Rendering helpers of the authenticator app. Everything the user sees is set as text (never
// as HTML), from the transaction the server signs over.

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'onclick') node.addEventListener('click', value);
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/** RFC 9396 details as Authlete carries them (`{elements: [...]}`) or as a plain array. */
export function detailElements(details) {
  if (Array.isArray(details)) return details;
  if (details && Array.isArray(details.elements)) return details.elements;
  return [];
}

function flatten(value, prefix, rows) {
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, rows);
  } else {
    rows.push([prefix, String(value)]);
  }
  return rows;
}

function definitionList(rows) {
  const dl = el('dl');
  for (const [term, value] of rows) dl.append(el('dt', { text: term }), el('dd', { text: value }));
  return dl;
}

/** A payment initiation shows amount, currency and creditor first (PSD2 dynamic linking); others as key/value. */
export function renderDetail(detail) {
  const card = el('div', { class: 'card', 'data-testid': 'detail' });
  if (detail && detail.type === 'payment_initiation') {
    const amount = detail.instructedAmount || {};
    card.append(el('div', { class: 'muted', text: 'Payment' }));
    card.append(el('div', { class: 'amount', 'data-testid': 'amount', text: `${amount.amount ?? '?'} ${amount.currency ?? ''}`.trim() }));
    const rows = [['To', String(detail.creditorName ?? '?')]];
    if (detail.creditorAccount) rows.push(...flatten(detail.creditorAccount, '', []).map(([key, value]) => [key === 'iban' ? 'IBAN' : key, value]));
    if (detail.remittanceInformationUnstructured) rows.push(['Reference', String(detail.remittanceInformationUnstructured)]);
    const dl = definitionList(rows);
    dl.setAttribute('data-testid', 'creditor');
    card.append(dl);
    return card;
  }
  card.append(el('div', { class: 'muted', text: String(detail && detail.type ? detail.type : 'Details') }));
  card.append(definitionList(flatten(detail, '', []).filter(([key]) => key !== 'type')));
  return card;
}

/** RFC 8785-style canonical JSON, as the server computes it. */
export function canonicalJson(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

/** The challenge the server derived for this decision, recomputed here before the passkey signs it. */
export async function decisionChallenge(tx, decision) {
  const bytes = new TextEncoder().encode(`openciba-authenticator/v1\0${canonicalJson({ ...tx, decision })}`);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  let binary = '';
  for (const b of digest) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function timeLeft(expiresAt) {
  const seconds = Math.max(0, Math.floor(expiresAt - Date.now() / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')} left`;
}
