// The Pleo profile: where Pleo's authorization server differs from oidc-provider's defaults, one
// rule each, run in front of the provider. Each returns true when it answered the request itself.
import type { SimRequest } from './http.js';
import { sendJson } from './http.js';

/** What the profile rules need to know about the simulator. */
export interface ProfileContext {
  /** Client authentication by form body (`client_secret_post`) is refused. */
  readonly strictClientAuth: boolean;
  /** Serve `/.well-known/*` discovery documents. */
  readonly discovery: boolean;
  /** Registered clients: their redirect URIs and scopes. */
  readonly client: (clientId: string) => { redirect_uris: readonly string[]; scope: string } | undefined;
}

type ProfileRule = (request: SimRequest, context: ProfileContext, form: URLSearchParams) => boolean;

// no discovery document: Pleo publishes none, so integrations must be configured with explicit URLs
const noDiscovery: ProfileRule = ({ res }, { discovery }) => {
  if (discovery) return false;
  sendJson(res, 404, { type: 'NOT_FOUND', message: 'Pleo publishes no discovery document.' });
  return true;
};

// nor a JWKS (its tokens are opaque): without the discovery option, /oauth/jwks is not there either
const noJwks: ProfileRule = ({ res }, { discovery }) => {
  if (discovery) return false;
  sendJson(res, 404, { type: 'NOT_FOUND', message: 'Pleo publishes no JWKS: its tokens are opaque.' });
  return true;
};

// scopes must be registered: Pleo answers invalid_scope where oidc-provider silently drops unknown scopes
// (GET with a query, or POST with a form: oidc-provider takes both)
const checkScope: ProfileRule = ({ res, query: url, method }, { client }, form) => {
  const query = method === 'POST' ? form : url;
  const registered = client(query.get('client_id') ?? '');
  const redirectUri = query.get('redirect_uri');
  if (!registered || !redirectUri || !registered.redirect_uris.includes(redirectUri)) return false; // the provider explains
  const allowed = new Set(registered.scope.split(' '));
  const unknown = (query.get('scope') ?? '').split(' ').filter((scope) => scope && !allowed.has(scope));
  if (unknown.length === 0) return false;
  const target = new URL(redirectUri);
  target.searchParams.set('error', 'invalid_scope');
  target.searchParams.set('error_description', `requested scope is not registered for this client: ${unknown.join(' ')}`);
  const state = query.get('state');
  if (state !== null) target.searchParams.set('state', state);
  res.statusCode = 303;
  res.setHeader('location', target.href);
  res.end();
  return true;
};

// client_secret_basic only: the secret in the form body (client_secret_post) is refused in the strict profile
const checkClientAuth: ProfileRule = ({ res, attribution }, { strictClientAuth }, form) => {
  const inBody = form.has('client_secret');
  attribution.clientAuth = inBody ? 'client_secret_post' : attribution.credential.kind === 'basic' ? 'client_secret_basic' : 'none';
  if (!strictClientAuth || !inBody) return false;
  // no WWW-Authenticate: the client did not use the Authorization header (RFC 6749 §5.2)
  sendJson(res, 401, { error: 'invalid_client', error_description: 'client authentication must use client_secret_basic (HTTP Basic); client_secret_post is not supported' });
  return true;
};

/** Which rules run where: the endpoint pipeline as a table. */
export const PROFILE_RULES: readonly { method: string; path: string; rule: ProfileRule }[] = [
  { method: '*', path: '/.well-known/*', rule: noDiscovery },
  { method: '*', path: '/oauth/jwks', rule: noJwks },
  { method: 'GET', path: '/oauth/authorize', rule: checkScope },
  { method: 'POST', path: '/oauth/authorize', rule: checkScope },
  { method: 'POST', path: '/oauth/token', rule: checkClientAuth },
  { method: 'POST', path: '/oauth/token/introspect', rule: checkClientAuth },
];

/** Runs the rules that apply to the request; true when one of them answered. */
export function applyProfile(request: SimRequest, context: ProfileContext, form: URLSearchParams): boolean {
  for (const { method, path, rule } of PROFILE_RULES) {
    if (method !== '*' && method !== request.method) continue;
    const matches = path.endsWith('*') ? request.path.startsWith(path.slice(0, -1)) : request.path === path;
    if (matches && rule(request, context, form)) return true;
  }
  return false;
}

/** Removes RFC 9207 `iss` from a redirect to a client (Pleo documents no `iss` on the callback). */
export function stripIssParameter(location: string, redirectUris: readonly string[]): string {
  const target = safeUrl(location);
  if (!target || !target.searchParams.has('iss')) return location;
  const base = `${target.origin}${target.pathname}`;
  if (!redirectUris.some((uri) => uri.split('?')[0] === base)) return location;
  target.searchParams.delete('iss');
  return target.href;
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
