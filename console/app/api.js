// The console's only way to the server: the public /api and /admin endpoints, with the token
// the operator signed in with as a Bearer header. The token lives in this tab's session storage
// (gone when the tab closes, never in a cookie, so no request carries it unless we add it).
const TOKEN_KEY = 'openciba.console.token';
const SERVICE_KEY = 'openciba.console.service';

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: () => {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(SERVICE_KEY);
  },
  service: () => sessionStorage.getItem(SERVICE_KEY),
  chooseService: (id) => sessionStorage.setItem(SERVICE_KEY, String(id)),
};

/** An answer other than 2xx: the status and the API's own message (resultMessage or error_description). */
export class ApiProblem extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * Authlete's resultMessage starts with its code and the request path ("[A001201] /admin/…, text"):
 * the operator reads the text first, with the code kept after it for a support request.
 */
function readable(message) {
  const coded = /^\[([A-Z]\d{3,})\] [^ ,]*, (.+)$/s.exec(message);
  return coded ? `${coded[2]} (${coded[1]})` : message;
}

export async function api(method, path, body, token = session.token()) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
  });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const message = json?.resultMessage ?? json?.error_description ?? json?.error ?? `The server answered ${response.status}.`;
    throw new ApiProblem(response.status, readable(String(message)));
  }
  return json;
}

/**
 * Which field an API message is about: the API names members in quotes ('bcNotificationEndpoint')
 * or, for schema errors, first after "is invalid:" ("The body is invalid: backchannelPollingInterval must…"). Of several, the last
 * one that is a field of the form (a "needs 'x'" message names the missing one last).
 */
export function fieldOf(message, fieldNames) {
  const named = [...message.matchAll(/'([A-Za-z_][A-Za-z0-9_]*)'|is invalid: \/?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? m[2]);
  return named.reverse().find((name) => fieldNames.includes(name));
}
