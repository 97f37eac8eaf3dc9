// startSimulator(): the Pleo staging simulator on loopback — authorization server, API, an
// untrusted-certificate endpoint, webhooks, faults and the recorder — behind one handle.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { createApiHandler } from './api/routes.js';
import { createAuthServer, type RegisteredClient } from './auth-server.js';
import { DEFAULTS, PLEO_SCOPES } from './defaults.js';
import { Faults } from './faults.js';
import { recordingListener, type SimHandler } from './http.js';
import { Recorder } from './recorder.js';
import { SecretRegistry } from './secrets.js';
import { AuthStore } from './store.js';
import { createRunCa } from './tls.js';
import { WebhookSender } from './webhooks.js';
import { createIdSource } from './random.js';
import { World, type ApiKey, type ApiKeyKind, type Company } from './world.js';

export interface ClientOptions {
  client_id?: string;
  client_secret?: string;
  client_name?: string;
  redirect_uris: string[];
  /** Scopes the client is registered for (space-separated); default: every Pleo scope. */
  scope?: string;
}

export interface SimulatorOptions {
  /** Serve HTTPS with a CA generated for the run (default true). */
  tls?: boolean;
  /** Ports for the servers; 0 (the default) picks free ones. */
  ports?: { auth?: number; api?: number; untrusted?: number };
  /** The integration's OAuth client; more can be added with `registerClient`. */
  client?: ClientOptions;
  /** Refuse `client_secret_post` (default true: Pleo's documented `client_secret_basic` only). */
  strictClientAuth?: boolean;
  /** Serve a discovery document (Pleo publishes none; default false). */
  discovery?: boolean;
  /** Add RFC 9207 `iss` to authorization responses (Pleo documents none; default false). */
  issParameter?: boolean;
  /** Default access token lifetime in seconds (default 900). */
  accessTokenLifetime?: number;
  refreshTokenLifetime?: number;
  /** Companies to create at start: a count or aliases. */
  companies?: number | string[];
  itemsPerJob?: number;
  /** Seed of the world's ids, canaries and amounts (the same seed, the same data); default: random. */
  seed?: string;
}

/** A running simulator. */
export interface Simulator {
  /** Base of `/oauth/authorize`, `/oauth/token`, `/oauth/token/introspect`. */
  readonly authUrl: string;
  /** Base of the API (`/v1/...`, `/v3/...`). */
  readonly apiUrl: string;
  /** The same API and authorization server behind a certificate no client should trust (TLS only). */
  readonly untrustedUrl: string | undefined;
  /** PEM of the run's CA and the file that holds it (for `NODE_EXTRA_CA_CERTS`); undefined without TLS. */
  readonly caPem: string | undefined;
  readonly caFile: string | undefined;
  /** The integration's client. */
  readonly client: RegisteredClient;
  /** `whsec_…` secret webhook deliveries are signed with. */
  readonly webhookSecret: string;
  readonly world: World;
  readonly recorder: Recorder;
  readonly secrets: SecretRegistry;
  readonly faults: Faults;
  readonly webhooks: WebhookSender;
  /** An undici dispatcher that trusts the run's CA (for the harness's own requests). */
  readonly dispatcher: Agent;
  createCompany(options?: { alias?: string; name?: string; items?: number }): Company;
  registerClient(options: ClientOptions): RegisteredClient;
  /** As the customer would in Pleo: revoke every grant (and integrated key) of the client for a company. Returns how many. */
  revokeConsent(company: string, clientId?: string): number;
  /** Make every access token of a company's grants expire now. Returns how many. */
  expireTokens(company: string, clientId?: string): number;
  /** Lifetime of access tokens issued from now on, for one company or (no company) all. */
  setTokenLifetime(seconds: number, company?: string): void;
  /** Mint an API key: `standalone` as a customer creates in settings, `integrated` bound to a client. */
  mintApiKey(kind: ApiKeyKind, company: string, clientId?: string): ApiKey;
  /** Environment for an integration process (DESIGN.md §3). */
  env(): Record<string, string>;
  close(): Promise<void>;
}

/** Starts the simulator; every server listens on 127.0.0.1. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const useTls = options.tls ?? true;
  const secrets = new SecretRegistry();
  const recorder = new Recorder(secrets);
  const world = new World(createIdSource(options.seed));
  const store = new AuthStore();
  const faults = new Faults();
  const lifetimes = new Map<string, number>();
  let defaultLifetime = options.accessTokenLifetime ?? DEFAULTS.accessTokenLifetime;

  const ca = useTls ? await createRunCa() : undefined;
  const untrustedCa = useTls ? await createRunCa('untrusted CA (not the run CA)') : undefined;
  const [serverCert, untrustedCert] = await Promise.all([ca?.issueServer(), untrustedCa?.issueServer()]);
  const caDir = ca ? await mkdtemp(join(tmpdir(), 'eap-sim-')) : undefined;
  const caFile = caDir ? join(caDir, 'run-ca.pem') : undefined;
  if (caFile && ca) await writeFile(caFile, ca.caPem, { mode: 0o600 });

  const servers: (http.Server | https.Server)[] = [];
  const listen = async (port: number | undefined): Promise<{ server: http.Server | https.Server; url: string; attach: (handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) => void }> => {
    let current: ((req: http.IncomingMessage, res: http.ServerResponse) => void) | undefined;
    const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      if (current) current(req, res);
      else {
        res.statusCode = 503;
        res.end();
      }
    };
    const server = serverCert ? https.createServer({ ...serverCert }, listener) : http.createServer(listener);
    servers.push(server);
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port ?? 0, DEFAULTS.host, () => resolve());
    });
    const { port: actual } = server.address() as AddressInfo;
    return { server, url: `${useTls ? 'https' : 'http'}://${DEFAULTS.host}:${actual}`, attach: (handler) => (current = handler) };
  };

  const [authListener, apiListener] = await Promise.all([listen(options.ports?.auth), listen(options.ports?.api)]);

  const auth = await createAuthServer({
    issuer: authListener.url,
    store,
    world,
    secrets,
    faults,
    strictClientAuth: options.strictClientAuth ?? true,
    discovery: options.discovery ?? false,
    issParameter: options.issParameter ?? false,
    accessTokenLifetime: (companyId) => (companyId !== undefined ? lifetimes.get(companyId) : undefined) ?? defaultLifetime,
    refreshTokenLifetime: options.refreshTokenLifetime ?? DEFAULTS.refreshTokenLifetime,
  });

  const revokeGrants = (clientId: string, companyId: string): number => {
    const grants = store.grantsOf(clientId, companyId);
    for (const grantId of grants) store.revokeGrant(grantId);
    return grants.length;
  };

  const apiHandler = createApiHandler({
    world,
    store,
    secrets,
    faults,
    revokeGrants,
    isClientSecret: (clientId, secret) => auth.client(clientId)?.client_secret === secret,
    applicationName: (clientId) => (clientId ? (auth.client(clientId)?.client_name ?? clientId) : 'API key'),
    maxItemsPerUpdate: DEFAULTS.maxItemsPerUpdate,
    defaultPageSize: DEFAULTS.defaultPageSize,
    maxPageSize: DEFAULTS.maxPageSize,
  });

  const bodyLimit = { maxBodyBytes: DEFAULTS.maxBodyBytes };
  authListener.attach(recordingListener('auth', recorder, auth.handler, bodyLimit));
  apiListener.attach(recordingListener('api', recorder, apiHandler, bodyLimit));

  // one server with a certificate from an unknown CA, serving both (by path)
  let untrustedUrl: string | undefined;
  if (untrustedCert) {
    const both: SimHandler = (request) => (request.path.startsWith('/oauth/') || request.path.startsWith('/.well-known/') ? auth.handler(request) : apiHandler(request));
    const server = https.createServer({ ...untrustedCert }, recordingListener('untrusted', recorder, both, bodyLimit));
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.ports?.untrusted ?? 0, DEFAULTS.host, () => resolve());
    });
    untrustedUrl = `https://${DEFAULTS.host}:${(server.address() as AddressInfo).port}`;
  }

  const registerClient = (clientOptions: ClientOptions): RegisteredClient => {
    const client: RegisteredClient = {
      client_id: clientOptions.client_id ?? randomUUID(),
      client_secret: clientOptions.client_secret ?? randomBytes(32).toString('base64url'),
      client_name: clientOptions.client_name ?? DEFAULTS.clientName,
      redirect_uris: [...clientOptions.redirect_uris],
      scope: clientOptions.scope ?? PLEO_SCOPES.join(' '),
    };
    for (const scope of client.scope.split(' ')) {
      if (!(PLEO_SCOPES as readonly string[]).includes(scope)) throw new Error(`unknown scope "${scope}" in client registration`);
    }
    auth.registerClient(client);
    return client;
  };
  const client = registerClient(options.client ?? { redirect_uris: ['http://127.0.0.1:8080/oauth/callback'] });

  const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
  secrets.register(webhookSecret, 'webhook-secret');
  const dispatcher = new Agent({ connect: ca ? { ca: ca.caPem } : {}, keepAliveTimeout: 1_000 });
  const webhooks = new WebhookSender(webhookSecret, world, recorder, dispatcher, DEFAULTS.webhookToleranceSeconds);

  const companyCount = typeof options.companies === 'number' ? options.companies : 0;
  for (const alias of Array.isArray(options.companies) ? options.companies : []) world.createCompany({ alias, items: options.itemsPerJob });
  for (let i = 0; i < companyCount; i += 1) world.createCompany({ items: options.itemsPerJob });

  let closed = false;
  return {
    authUrl: authListener.url,
    apiUrl: apiListener.url,
    untrustedUrl,
    caPem: ca?.caPem,
    caFile,
    client,
    webhookSecret,
    world,
    recorder,
    secrets,
    faults,
    webhooks,
    dispatcher,
    createCompany: (companyOptions = {}) => world.createCompany({ items: options.itemsPerJob, ...companyOptions }),
    registerClient,
    revokeConsent(company, clientId = client.client_id) {
      const companyId = world.requireCompany(company).id;
      // in integrated-key mode, withdrawing consent is revoking the company's key for this integration
      let keys = 0;
      for (const key of world.apiKeys.values()) {
        if (key.kind === 'integrated' && key.clientId === clientId && key.companyId === companyId && !key.revoked) {
          key.revoked = true;
          keys += 1;
        }
      }
      return revokeGrants(clientId, companyId) + keys;
    },
    expireTokens(company, clientId = client.client_id) {
      return store.expireAccessTokens(store.grantsOf(clientId, world.requireCompany(company).id));
    },
    setTokenLifetime(seconds, company) {
      if (!(seconds > 0)) throw new Error('a token lifetime must be a positive number of seconds');
      if (company === undefined) defaultLifetime = seconds;
      else lifetimes.set(world.requireCompany(company).id, seconds);
    },
    mintApiKey(kind, company, clientId = client.client_id) {
      const key = world.mintApiKey(kind, world.requireCompany(company).id, { clientId, scopes: PLEO_SCOPES });
      secrets.register(key.value, 'api-key', world.requireCompany(company).alias);
      if (kind === 'integrated') world.install(clientId, key.companyId);
      return key;
    },
    env() {
      const env: Record<string, string> = {
        PLEO_AUTH_URL: authListener.url,
        PLEO_API_URL: apiListener.url,
        PLEO_CLIENT_ID: client.client_id,
        PLEO_CLIENT_SECRET: client.client_secret,
        PLEO_REDIRECT_URI: client.redirect_uris[0]!,
        PLEO_WEBHOOK_SECRET: webhookSecret,
      };
      if (caFile) env.NODE_EXTRA_CA_CERTS = caFile;
      return env;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
      await dispatcher.close();
      if (caDir) await rm(caDir, { recursive: true, force: true });
    },
  };
}

export type { RegisteredClient } from './auth-server.js';
export type { Exchange, Attribution, CredentialAttribution, SerializedExchange, Mark } from './recorder.js';
export type { FaultSpec } from './faults.js';
export type { DeliveryKind, WebhookDelivery } from './webhooks.js';
export type { Company, ExportJob, ExportItem, ApiKey, Installation } from './world.js';
export { PLEO_SCOPES } from './defaults.js';
export { signWebhook, webhookKey } from './webhooks.js';
