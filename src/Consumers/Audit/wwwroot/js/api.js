// The audit service's API as the page calls it, with the bearer token when the service needs one.
//
// A token comes from ?token= in the page's address (then removed from the address bar and history) or from the sign-in
// form, and is kept in sessionStorage: for this tab only, gone when it closes. Requests send it as
// "Authorization: Bearer"; the live stream cannot (EventSource sends no headers), so it passes ?token=, which the
// service accepts for that reason.

const TOKEN_KEY = 'flagger-audit.token';
const API = 'api/v1';

/** A 401 from the API: the page asks for a token. */
export class Unauthorized extends Error {
  constructor(detail) {
    super(detail || 'The audit API needs a bearer token.');
    this.name = 'Unauthorized';
  }
}

/** Takes a ?token= from the address into session storage and drops it from the address. */
export function adoptTokenFromAddress() {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token === null) {
    return;
  }
  if (token.trim() !== '') {
    setToken(token.trim());
  }
  url.searchParams.delete('token');
  window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
}

export function getToken() {
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token) {
  try {
    if (token) {
      window.sessionStorage.setItem(TOKEN_KEY, token);
    } else {
      window.sessionStorage.removeItem(TOKEN_KEY);
    }
  } catch {
    // Storage can be disabled; the token then lasts until the page is reloaded.
  }
  memoryToken = token || null;
}

let memoryToken = null;

function currentToken() {
  return getToken() ?? memoryToken;
}

/** GET api/v1/{path} as JSON; throws Unauthorized on 401 and an Error naming the problem otherwise. */
export async function getJson(path, signal) {
  const headers = { Accept: 'application/json' };
  const token = currentToken();
  if (token) {
    headers.Authorization = `Bearer ${token}`;
  }
  const response = await fetch(`${API}/${path}`, { headers, signal, cache: 'no-store' });
  if (response.ok) {
    return response.json();
  }
  let detail = `${response.status} ${response.statusText}`;
  try {
    const problem = await response.json();
    detail = problem.detail || problem.title || detail;
  } catch {
    // Not a problem+json body; the status says enough.
  }
  if (response.status === 401) {
    throw new Unauthorized(detail);
  }
  throw new Error(`GET ${API}/${path}: ${detail}`);
}

/** The address of the live stream, with the token as a query parameter. */
export function streamUrl() {
  const token = currentToken();
  return token ? `${API}/stream?token=${encodeURIComponent(token)}` : `${API}/stream`;
}
