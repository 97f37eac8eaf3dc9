// Pleo's authorization server: oidc-provider configured with the Pleo profile, a login/consent
// page on which a customer's admin picks a company and approves or denies, and the attribution of
// every token request to the company whose grant it uses.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Configuration, KoaContextWithOIDC, Provider as ProviderType } from 'oidc-provider';
import { COOKIE_NAMES, DEFAULTS, PLEO_SCOPES } from './defaults.js';
import type { Faults } from './faults.js';
import type { SimHandler, SimRequest } from './http.js';
import { sendJson } from './http.js';
import { consentPage, errorPage, type ConsentPageModel } from './consent-page.js';
import { applyProfile, stripIssParameter } from './profile.js';
import { importOidcProvider } from './quiet-import.js';
import type { SecretRegistry } from './secrets.js';
import type { AuthStore } from './store.js';
import type { World } from './world.js';

/** An OAuth client registered with the simulator (the integration under test, or another). */
export interface RegisteredClient {
  readonly client_id: string;
  readonly client_secret: string;
  readonly client_name: string;
  readonly redirect_uris: readonly string[];
  /** Space-separated scopes the client may request. */
  readonly scope: string;
}

export interface AuthServerOptions {
  readonly issuer: string;
  readonly store: AuthStore;
  readonly world: World;
  readonly secrets: SecretRegistry;
  readonly faults: Faults;
  readonly strictClientAuth: boolean;
  readonly discovery: boolean;
  readonly issParameter: boolean;
  /** Seconds an access token lives, for a company (id). */
  readonly accessTokenLifetime: (companyId: string | undefined) => number;
  readonly refreshTokenLifetime: number;
}

export interface AuthServer {
  readonly provider: ProviderType;
  readonly handler: SimHandler;
  registerClient(client: RegisteredClient): void;
  client(clientId: string): RegisteredClient | undefined;
}

/** Builds the provider and the request handler of the authorization server. */
export async function createAuthServer(options: AuthServerOptions): Promise<AuthServer> {
  const { Provider, interactionPolicy } = await importOidcProvider();
  const { store, world, secrets } = options;
  const clients = new Map<string, RegisteredClient>();

  const policy = interactionPolicy.base();
  // Pleo shows the company picker and consent every time a customer connects
  policy
    .get('login')!
    .checks.add(new interactionPolicy.Check('pleo_consent_each_time', 'the admin picks a company and approves each connection', (ctx) =>
        ctx.oidc.result?.login ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT,
      ),
    );

  const { privateKey } = await import('node:crypto').then(({ generateKeyPairSync }) => generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid: 'sim-1', use: 'sig', alg: 'ES256' };
  const cookieKey = randomBytes(32).toString('base64url');
  secrets.register(cookieKey, 'cookie-key');

  const configuration: Configuration = {
    adapter: store.Adapter,
    jwks: { keys: [signingJwk as never] },
    cookies: { keys: [cookieKey], names: { ...COOKIE_NAMES } } as Configuration['cookies'],
    routes: {
      authorization: '/oauth/authorize',
      token: '/oauth/token',
      introspection: '/oauth/token/introspect',
      jwks: '/oauth/jwks',
      end_session: '/oauth/logout',
    },
    scopes: [...PLEO_SCOPES],
    claims: {},
    responseTypes: ['code'],
    pkce: { required: () => true },
    extraParams: ['urn_pleo_params_oauth_subject'],
    features: {
      devInteractions: { enabled: false },
      introspection: {
        enabled: true,
        // only the client that obtained a token may introspect it
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      revocation: { enabled: false },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
    },
    interactions: {
      policy,
      url: (_ctx, interaction) => `/oauth/interaction/${interaction.uid}`,
    },
    findAccount: async (_ctx, id) => {
      const company = world.company(id);
      return company ? { accountId: company.id, claims: async () => ({ sub: company.id }) } : undefined;
    },
    extraTokenClaims: async (_ctx, token) =>
      'accountId' in token && token.accountId ? { 'urn:pleo:params:oauth:subject_urn': `urn:pleo:company:${token.accountId}` } : undefined,
    issueRefreshToken: async () => true,
    rotateRefreshToken: () => true,
    expiresWithSession: async () => false,
    allowOmittingSingleRegisteredRedirectUri: false,
    ttl: {
      AccessToken: (_ctx, token) => options.accessTokenLifetime((token as { accountId?: string }).accountId),
      AuthorizationCode: DEFAULTS.authorizationCodeLifetime,
      RefreshToken: options.refreshTokenLifetime,
      Grant: options.refreshTokenLifetime,
      Interaction: DEFAULTS.interactionLifetime,
      Session: DEFAULTS.interactionLifetime,
    },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
    renderError: async (ctx: KoaContextWithOIDC, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(out.error, out.error_description);
    },
  };

  const provider = new Provider(options.issuer, configuration);
  provider.on('server_error', (_ctx, error) => {
    // surfaced in the exchange's attribution by the handler; nothing printed
    lastServerError = error;
  });
  let lastServerError: Error | undefined;
  const callback = provider.callback();

  const profileContext = {
    strictClientAuth: options.strictClientAuth,
    discovery: options.discovery,
    client: (clientId: string) => clients.get(clientId),
  };

  const handler: SimHandler = async (request) => {
    const { method, path, res, req } = request;
    const form = isForm(req) ? new URLSearchParams(request.body.toString('utf8')) : new URLSearchParams();

    if (path === '/oauth/token' && method === 'POST') attributeTokenRequest(request, form);
    if (path === '/oauth/token/introspect' && method === 'POST') attributeClient(request, form);

    const company = request.attribution.company;
    for (const action of options.faults.decide(method, path, company)) {
      request.attribution.fault = action.label;
      if (action.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, action.ms));
      else {
        sendJson(res, action.status, action.status === 429 ? action.body : { error: 'temporarily_unavailable', error_description: action.body.message }, action.headers);
        return;
      }
    }

    if (applyProfile(request, profileContext, form)) return;

    const interaction = /^\/oauth\/interaction\/([\w-]+)$/.exec(path);
    if (/^\/oauth\/authorize\/[\w-]+$/.test(path)) request.attribution.endpoint = `${method} /oauth/authorize/{uid}`;
    if (interaction) {
      request.attribution.endpoint = `${method} /oauth/interaction/{uid}`;
      await handleInteraction(request, interaction[1]!);
      return;
    }

    // each authorization starts a fresh AS session, so the admin picks a company every time
    // (and one browser can connect several companies one after the other)
    if (path === '/oauth/authorize' || path.startsWith('/oauth/authorize/')) dropCookies(req, [COOKIE_NAMES.session, `${COOKIE_NAMES.session}.sig`]);

    // hand the request to oidc-provider: the body was read already (to record it)
    (req as IncomingMessage & { body?: Buffer }).body = request.body;
    if (!options.issParameter) rewriteLocation(request, (location) => stripIssParameter(location, allRedirectUris()));
    request.afterResponse.push((status, body, headers) => registerIssued(request, form, status, body, headers));
    lastServerError = undefined;
    await new Promise<void>((resolve) => {
      res.once('finish', resolve);
      res.once('close', resolve);
      void callback(req, res);
    });
    if (lastServerError) request.attribution.error = `authorization server error: ${(lastServerError as Error).message}`;
  };

  function allRedirectUris(): string[] {
    return [...clients.values()].flatMap((client) => client.redirect_uris);
  }

  function attributeClient(request: SimRequest, form: URLSearchParams): RegisteredClient | undefined {
    const { credential } = request.attribution;
    let clientId = form.get('client_id') ?? undefined;
    let secret = form.get('client_secret') ?? undefined;
    if (credential.kind === 'basic') {
      const decoded = decodeBasic(request.req.headers.authorization!);
      if (decoded) [clientId, secret] = decoded;
    }
    const client = clientId ? clients.get(clientId) : undefined;
    const valid = Boolean(client && secret === client.client_secret);
    request.attribution.credential = {
      ...credential,
      kind: credential.kind === 'none' && secret ? 'other' : credential.kind,
      origin: client ? 'client-credentials' : 'unknown',
      label: secret ? secrets.lookup(secret)?.label : undefined,
      clientId,
      valid,
      reason: valid ? undefined : client ? 'wrong client secret' : 'unknown client',
    };
    return client;
  }

  function attributeTokenRequest(request: SimRequest, form: URLSearchParams): void {
    attributeClient(request, form);
    const grantType = form.get('grant_type') ?? undefined;
    request.attribution.grantType = grantType;
    const verifier = form.get('code_verifier');
    if (verifier && verifier.length >= 8) secrets.register(verifier, 'code-verifier');
    const kind = grantType === 'authorization_code' ? 'authorization-code' : grantType === 'refresh_token' ? 'refresh-token' : undefined;
    if (!kind) return;
    const value = form.get(kind === 'authorization-code' ? 'code' : 'refresh_token') ?? '';
    const peeked = store.peek(kind === 'authorization-code' ? 'AuthorizationCode' : 'RefreshToken', value);
    request.attribution.presented = {
      kind,
      label: secrets.lookup(value)?.label,
      state: peeked?.state ?? 'unknown',
      grant: peeked?.payload.grantId,
    };
    if (peeked?.payload.accountId) request.attribution.company = peeked.payload.accountId;
  }

  function registerIssued(request: SimRequest, form: URLSearchParams, status: number, body: string, headers: [string, string][]): void {
    // the admin's AS session cookie would let anyone holding it act in that browser (the interaction
    // cookies carry the interaction's uid, which is in its URLs anyway)
    for (const [name, value] of headers) {
      if (name !== 'set-cookie') continue;
      const cookie = SESSION_COOKIE.exec(value);
      if (cookie && cookie[1]!.length >= 8) secrets.register(cookie[1]!, 'session-cookie');
    }
    if (request.path === '/oauth/token' && status === 200) {
      const json = JSON.parse(body) as { access_token?: string; refresh_token?: string };
      const payload = json.access_token ? store.peek('AccessToken', json.access_token)?.payload : undefined;
      const alias = payload?.accountId ? world.company(payload.accountId)?.alias : undefined;
      if (payload?.accountId) request.attribution.company = payload.accountId;
      if (json.access_token) secrets.register(json.access_token, 'access-token', alias);
      if (json.refresh_token) secrets.register(json.refresh_token, 'refresh-token', alias);
      void form;
      return;
    }
    const location = headers.find(([name]) => name === 'location')?.[1];
    if (location && status >= 300 && status < 400) {
      const code = safeSearchParam(location, 'code');
      if (code) {
        const payload = store.peek('AuthorizationCode', code)?.payload;
        const alias = payload?.accountId ? world.company(payload.accountId)?.alias : undefined;
        if (payload?.accountId) request.attribution.company = payload.accountId;
        secrets.register(code, 'authorization-code', alias);
      }
    }
  }

  async function handleInteraction(request: SimRequest, uid: string): Promise<void> {
    const { req, res, method } = request;
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      res.statusCode = 400;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(errorPage('invalid_request', 'This sign-in page has expired or was opened in another browser. Start connecting again from the integration.'));
      return;
    }
    if (details.uid !== uid) {
      res.statusCode = 400;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(errorPage('invalid_request', 'Interaction mismatch.'));
      return;
    }
    const params = details.params as Record<string, string | undefined>;
    const client = clients.get(params.client_id ?? '');
    if (method === 'GET') {
      const model: ConsentPageModel = {
        action: `/oauth/interaction/${uid}`,
        clientName: client?.client_name ?? params.client_id ?? 'Unknown integration',
        scopes: (params.scope ?? '').split(' ').filter(Boolean),
        companies: [...world.companies.values()],
        preselected: subjectCompany(params.urn_pleo_params_oauth_subject),
      };
      res.statusCode = 200;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.setHeader('cache-control', 'no-store');
      res.end(consentPage(model));
      return;
    }
    if (method !== 'POST') {
      sendJson(res, 405, { type: 'METHOD_NOT_ALLOWED', message: 'Use GET or POST.' });
      return;
    }
    const form = new URLSearchParams(request.body.toString('utf8'));
    const decision = form.get('decision');
    if (decision === 'deny') {
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The customer denied the request.' }, { mergeWithLastSubmission: false });
      return;
    }
    const company = world.company(form.get('company') ?? '');
    if (decision !== 'approve' || !company) {
      res.statusCode = 400;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(errorPage('invalid_request', decision !== 'approve' ? 'Choose Approve or Deny.' : 'Choose a company to connect.'));
      return;
    }
    request.attribution.company = company.id;
    const grant = new provider.Grant({ accountId: company.id, clientId: params.client_id! });
    grant.addOIDCScope(params.scope ?? '');
    const grantId = await grant.save();
    world.install(params.client_id!, company.id);
    await provider.interactionFinished(req, res, { login: { accountId: company.id, remember: false }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }

  function subjectCompany(subject: string | undefined): string | undefined {
    const id = /^urn:pleo:company:(.+)$/.exec(subject ?? '')?.[1];
    return id ? world.company(id)?.id : undefined;
  }

  return {
    provider,
    handler,
    registerClient(client) {
      for (const uri of client.redirect_uris) assertRedirectUri(uri);
      clients.set(client.client_id, client);
      secrets.register(client.client_secret, 'client-secret');
      store.put('Client', client.client_id, {
        client_id: client.client_id,
        client_secret: client.client_secret,
        client_name: client.client_name,
        redirect_uris: [...client.redirect_uris],
        scope: client.scope,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      } as never);
    },
    client: (clientId) => clients.get(clientId),
  };
}

/** Pleo: exact redirect URIs, HTTPS, plain HTTP only for localhost. */
export function assertRedirectUri(uri: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new Error(`redirect URI "${uri}" is not an absolute URL`);
  }
  if (url.hash) throw new Error(`redirect URI "${uri}" must not have a fragment`);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && !loopback) throw new Error(`redirect URI "${uri}" must use https (plain http only for localhost)`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`redirect URI "${uri}" must use https`);
}

/** `pleo_sim_session=<value>` or its signature, at the start of a Set-Cookie value. */
const SESSION_COOKIE = new RegExp(`^${COOKIE_NAMES.session}(?:\\.sig)?=([^;]*)`);

function rewriteLocation(request: SimRequest, rewrite: (location: string) => string): void {
  const { res } = request;
  const setHeader = res.setHeader.bind(res);
  res.setHeader = ((name: string, value: number | string | readonly string[]) =>
    setHeader(name, name.toLowerCase() === 'location' && typeof value === 'string' ? rewrite(value) : value)) as typeof res.setHeader;
}

function isForm(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** Client id and secret from a Basic header (each form-urlencoded, RFC 6749 §2.3.1). */
export function decodeBasic(header: string): [string, string] | undefined {
  const match = /^basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const unescape = (text: string): string => {
    try {
      return decodeURIComponent(text.replace(/\+/g, ' '));
    } catch {
      return text;
    }
  };
  return [unescape(decoded.slice(0, colon)), unescape(decoded.slice(colon + 1))];
}

/** Removes cookies from a request before the provider reads them. */
function dropCookies(req: IncomingMessage, names: readonly string[]): void {
  const cookie = req.headers.cookie;
  if (!cookie) return;
  const kept = cookie
    .split(';')
    .map((part) => part.trim())
    .filter((part) => !names.includes(part.split('=', 1)[0]!));
  if (kept.length) req.headers.cookie = kept.join('; ');
  else delete req.headers.cookie;
}

function safeSearchParam(location: string, name: string): string | undefined {
  try {
    return new URL(location).searchParams.get(name) ?? undefined;
  } catch {
    return undefined;
  }
}
