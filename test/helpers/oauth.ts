// Shared helpers for tests that drive the simulator with openid-client, as a partner would.
import * as client from 'openid-client';
import { fetch as undiciFetch } from 'undici';
import { UserAgent } from '../../src/iut/user-agent.js';
import type { Simulator } from '../../src/simulator/index.js';

/** An openid-client Configuration for the simulator's client, configured without discovery (Pleo has none). */
export function oauthConfig(sim: Simulator, auth: 'basic' | 'post' = 'basic'): client.Configuration {
  const config = new client.Configuration(
    {
      issuer: sim.authUrl,
      authorization_endpoint: `${sim.authUrl}/oauth/authorize`,
      token_endpoint: `${sim.authUrl}/oauth/token`,
      introspection_endpoint: `${sim.authUrl}/oauth/token/introspect`,
    },
    sim.client.client_id,
    undefined,
    auth === 'basic' ? client.ClientSecretBasic(sim.client.client_secret) : client.ClientSecretPost(sim.client.client_secret),
  );
  // the run CA is not in this test process's trust store: route openid-client's fetch through a trusting dispatcher
  config[client.customFetch] = ((url: string, options: RequestInit) =>
    undiciFetch(url, { ...(options as object), dispatcher: sim.dispatcher } as never)) as never;
  return config;
}

export interface Flow {
  readonly verifier: string;
  readonly state: string;
  readonly authorizeUrl: URL;
}

/** Builds an authorization URL with PKCE S256 and state. */
export async function startFlow(sim: Simulator, config: client.Configuration, extra: Record<string, string> = {}): Promise<Flow> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const authorizeUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: sim.client.redirect_uris[0]!,
    scope: 'export-jobs:read export-jobs:write export-items:read companies:read',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...extra,
  });
  return { verifier, state, authorizeUrl };
}

/** Runs consent in a fresh browser for a company; returns the callback URL the browser was sent to. */
export async function consent(sim: Simulator, authorizeUrl: URL | string, company: string, decision: 'approve' | 'deny' = 'approve', ua = new UserAgent(sim.dispatcher)): Promise<URL> {
  const redirect = sim.client.redirect_uris[0]!;
  const result = await ua.connect(String(authorizeUrl), { company, decision, stopAt: (url) => url.startsWith(redirect) });
  if (!result.finalUrl.startsWith(redirect)) {
    throw new Error(`flow did not reach the redirect URI: ${result.finalUrl} (${result.response?.status} ${result.response?.body.slice(-400)})`);
  }
  return new URL(result.finalUrl);
}

/** A whole connect: authorize, consent, code exchange. */
export async function connectCompany(sim: Simulator, config: client.Configuration, company: string, ua?: UserAgent) {
  const flow = await startFlow(sim, config);
  const callback = await consent(sim, flow.authorizeUrl, company, 'approve', ua);
  return client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: flow.verifier, expectedState: flow.state });
}

/** A request to the simulator's API with undici, trusting the run CA. */
export async function api(sim: Simulator, method: string, path: string, init: { token?: string; headers?: Record<string, string>; body?: unknown } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await undiciFetch(`${sim.apiUrl}${path}`, {
    method,
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    dispatcher: sim.dispatcher,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text ? (JSON.parse(text) as any) : undefined };
}
