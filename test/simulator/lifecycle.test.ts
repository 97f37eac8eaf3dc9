// The whole OAuth and API lifecycle driven with openid-client, as a partner integration would.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { api, connectCompany, consent, oauthConfig, startFlow } from '../helpers/oauth.js';

let sim: Simulator;
let config: client.Configuration;

beforeAll(async () => {
  sim = await startSimulator({ companies: ['acme', 'globex'] });
  config = oauthConfig(sim);
});
afterAll(() => sim?.close());

const acme = () => sim.world.requireCompany('acme');
const globex = () => sim.world.requireCompany('globex');

/** The OAuth error a rejected openid-client call carries. */
async function oauthError(promise: Promise<unknown>): Promise<{ error?: string; status?: number }> {
  try {
    await promise;
  } catch (caught) {
    // a JSON error body, or (401 with WWW-Authenticate) the challenge's parameters
    const error = caught as { error?: string; status?: number; cause?: { error?: string; status?: number } | { parameters: { error?: string } }[] };
    const challenge = Array.isArray(error.cause) ? error.cause[0]?.parameters.error : undefined;
    const cause = Array.isArray(error.cause) ? undefined : error.cause;
    return { error: error.error ?? challenge ?? cause?.error, status: error.status ?? cause?.status };
  }
  throw new Error('expected the call to fail');
}

describe('authorization code with PKCE', () => {
  it('issues opaque Bearer tokens bound to the chosen company', async () => {
    const tokens = await connectCompany(sim, config, 'acme');
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expires_in).toBe(900);
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.scope?.split(' ').sort()).toEqual(['companies:read', 'export-items:read', 'export-jobs:read', 'export-jobs:write']);
    expect(tokens.access_token.split('.')).toHaveLength(1); // opaque, not a JWT

    const me = await api(sim, 'GET', '/v1/installations/me', { token: tokens.access_token });
    expect(me.status).toBe(200);
    expect(me.json.data).toMatchObject({ resource: `urn:pleo:company:${acme().id}`, applicationId: sim.client.client_id, status: 'ACTIVATED' });

    const self = await api(sim, 'GET', '/v1/introspect', { token: tokens.access_token });
    expect(self.json.data).toEqual({
      authMethod: 'OAUTH2',
      clientId: sim.client.client_id,
      scope: expect.stringContaining('export-jobs:read'),
      applicationName: sim.client.client_name,
      subjectURN: `urn:pleo:company:${acme().id}`,
    });
  });

  it('introspects with the Pleo subject URN', async () => {
    const tokens = await connectCompany(sim, config, 'globex');
    const result = await client.tokenIntrospection(config, tokens.access_token);
    expect(result).toMatchObject({ active: true, client_id: sim.client.client_id, sub: globex().id, 'urn:pleo:params:oauth:subject_urn': `urn:pleo:company:${globex().id}` });
    expect(typeof result.exp).toBe('number');
    expect(typeof result.iat).toBe('number');
    expect(await client.tokenIntrospection(config, 'not-a-token-at-all')).toEqual({ active: false });
  });

  it('sends no iss on the callback and serves no discovery document', async () => {
    const flow = await startFlow(sim, config);
    const callback = await consent(sim, flow.authorizeUrl, 'acme');
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect(callback.searchParams.get('state')).toBe(flow.state);
    expect(callback.searchParams.has('iss')).toBe(false);
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/oauth/jwks']) {
      const response = await fetchAuth(path);
      expect(response.status, path).toBe(404);
    }
  });

  it('serves discovery, the JWKS and the iss parameter only when asked to', async () => {
    const opted = await startSimulator({ companies: ['acme'], discovery: true, issParameter: true });
    try {
      const { request } = await import('undici');
      const metadata = await request(`${opted.authUrl}/.well-known/oauth-authorization-server`, { dispatcher: opted.dispatcher });
      expect(metadata.statusCode).toBe(200);
      const document = (await metadata.body.json()) as Record<string, unknown>;
      expect(document).toMatchObject({ issuer: opted.authUrl, token_endpoint: `${opted.authUrl}/oauth/token` });
      const jwks = await request(`${opted.authUrl}/oauth/jwks`, { dispatcher: opted.dispatcher });
      expect(jwks.statusCode).toBe(200);
      await jwks.body.dump();
      const optedConfig = oauthConfig(opted);
      const flow = await startFlow(opted, optedConfig);
      const callback = await consent(opted, flow.authorizeUrl, 'acme');
      expect(callback.searchParams.get('iss')).toBe(opted.authUrl);
    } finally {
      await opted.close();
    }
  });

  it('redirects denied consent with access_denied and the state', async () => {
    const flow = await startFlow(sim, config);
    const callback = await consent(sim, flow.authorizeUrl, 'acme', 'deny');
    expect(Object.fromEntries(callback.searchParams)).toMatchObject({ error: 'access_denied', state: flow.state });
    expect(callback.searchParams.has('code')).toBe(false);
  });

  it('lets one browser connect two companies one after the other', async () => {
    const { UserAgent } = await import('../../src/iut/user-agent.js');
    const ua = new UserAgent(sim.dispatcher);
    const first = await connectCompany(sim, config, 'acme', ua);
    const second = await connectCompany(sim, config, 'globex', ua);
    const a = await api(sim, 'GET', '/v1/installations/me', { token: first.access_token });
    const b = await api(sim, 'GET', '/v1/installations/me', { token: second.access_token });
    expect(a.json.data.resource).toBe(`urn:pleo:company:${acme().id}`);
    expect(b.json.data.resource).toBe(`urn:pleo:company:${globex().id}`);
  });

  it('refuses a code exchanged twice, and a wrong verifier', async () => {
    const flow = await startFlow(sim, config);
    const callback = await consent(sim, flow.authorizeUrl, 'acme');
    const wrong = await oauthError(client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: flow.state }));
    expect(wrong.error).toBe('invalid_grant');

    const flow2 = await startFlow(sim, config);
    const callback2 = await consent(sim, flow2.authorizeUrl, 'acme');
    const tokens = await client.authorizationCodeGrant(config, callback2, { pkceCodeVerifier: flow2.verifier, expectedState: flow2.state });
    const replay = await oauthError(client.authorizationCodeGrant(config, callback2, { pkceCodeVerifier: flow2.verifier, expectedState: flow2.state }));
    expect(replay.error).toBe('invalid_grant');
    // a replayed code revokes what it had issued (RFC 6749 §4.1.2)
    expect((await api(sim, 'GET', '/v1/installations/me', { token: tokens.access_token })).status).toBe(401);
  });
});

describe('refusals of the Pleo profile', () => {
  it('refuses a redirect URI that is not registered exactly', async () => {
    const flow = await startFlow(sim, config, { redirect_uri: `${sim.client.redirect_uris[0]}/extra` });
    const response = await fetchAuth(flow.authorizeUrl.pathname + flow.authorizeUrl.search);
    expect(response.status).toBe(400);
    expect(response.body).toContain('redirect_uri');
    expect(response.location).toBeUndefined();
  });

  it('refuses plain PKCE and a missing code_challenge', async () => {
    const plain = await startFlow(sim, config, { code_challenge_method: 'plain', code_challenge: 'x'.repeat(43) });
    const plainResponse = await fetchAuth(plain.authorizeUrl.pathname + plain.authorizeUrl.search);
    expect(plainResponse.status).toBe(303);
    expect(redirectParams(plainResponse.location)).toMatchObject({ error: 'invalid_request', state: plain.state });

    const missing = await startFlow(sim, config);
    missing.authorizeUrl.searchParams.delete('code_challenge');
    missing.authorizeUrl.searchParams.delete('code_challenge_method');
    const missingResponse = await fetchAuth(missing.authorizeUrl.pathname + missing.authorizeUrl.search);
    expect(redirectParams(missingResponse.location)).toMatchObject({ error: 'invalid_request' });
  });

  it('answers invalid_scope for a scope that is not registered', async () => {
    const flow = await startFlow(sim, config, { scope: 'export-jobs:read admin:everything' });
    const response = await fetchAuth(flow.authorizeUrl.pathname + flow.authorizeUrl.search);
    expect(response.status).toBe(303);
    expect(redirectParams(response.location)).toMatchObject({ error: 'invalid_scope', state: flow.state });
    expect(redirectParams(response.location).error_description).toContain('admin:everything');
    // the same request as a form POST (oidc-provider takes both) gets the same answer
    const { request } = await import('undici');
    const posted = await request(`${sim.authUrl}/oauth/authorize`, {
      method: 'POST',
      dispatcher: sim.dispatcher,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: flow.authorizeUrl.searchParams.toString(),
    });
    await posted.body.dump();
    expect(posted.statusCode).toBe(303);
    expect(redirectParams(String(posted.headers.location))).toMatchObject({ error: 'invalid_scope', state: flow.state });
  });

  it('refuses client_secret_post in the strict profile', async () => {
    const postConfig = oauthConfig(sim, 'post');
    const flow = await startFlow(sim, postConfig);
    const callback = await consent(sim, flow.authorizeUrl, 'acme');
    const refused = await oauthError(client.authorizationCodeGrant(postConfig, callback, { pkceCodeVerifier: flow.verifier, expectedState: flow.state }));
    expect(refused.error).toBe('invalid_client');
    const exchange = sim.recorder.exchanges((e) => e.path === '/oauth/token').at(-1)!;
    expect(exchange.attribution.clientAuth).toBe('client_secret_post');
    // the same code is still good with Basic: the refusal happened before the provider saw it
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: flow.verifier, expectedState: flow.state });
    expect(tokens.access_token).toBeTruthy();
  });

  it('accepts client_secret_post when the strict profile is off', async () => {
    const lenient = await startSimulator({ companies: ['acme'], strictClientAuth: false });
    try {
      const postConfig = oauthConfig(lenient, 'post');
      const tokens = await connectCompany(lenient, postConfig, 'acme');
      expect(tokens.access_token).toBeTruthy();
    } finally {
      await lenient.close();
    }
  });

  it('refuses a wrong client secret', async () => {
    const bad = new client.Configuration({ issuer: sim.authUrl, token_endpoint: `${sim.authUrl}/oauth/token` }, sim.client.client_id, undefined, client.ClientSecretBasic('wrong-secret-value'));
    bad[client.customFetch] = config[client.customFetch];
    const refused = await oauthError(client.refreshTokenGrant(bad, 'whatever-refresh-token'));
    expect(refused.error).toBe('invalid_client');
  });
});

describe('refresh', () => {
  it('rotates both tokens on every refresh', async () => {
    const first = await connectCompany(sim, config, 'acme');
    const second = await client.refreshTokenGrant(config, first.refresh_token!);
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const third = await client.refreshTokenGrant(config, second.refresh_token!);
    expect((await api(sim, 'GET', '/v1/installations/me', { token: third.access_token })).status).toBe(200);
  });

  it('revokes the whole grant when a rotated refresh token is replayed', async () => {
    const first = await connectCompany(sim, config, 'acme');
    const second = await client.refreshTokenGrant(config, first.refresh_token!);
    const replay = await oauthError(client.refreshTokenGrant(config, first.refresh_token!));
    expect(replay.error).toBe('invalid_grant');
    // every token of the grant is gone: the newest refresh token and the newest access token
    expect((await oauthError(client.refreshTokenGrant(config, second.refresh_token!))).error).toBe('invalid_grant');
    const call = await api(sim, 'GET', '/v1/installations/me', { token: second.access_token });
    expect(call.status).toBe(401);
    const replayed = sim.recorder.exchanges((e) => e.attribution.grantType === 'refresh_token' && e.response.status === 400);
    expect(replayed.some((e) => e.attribution.presented?.state === 'consumed')).toBe(true);
  });

  it('expires access tokens now, and on a short lifetime', async () => {
    const tokens = await connectCompany(sim, config, 'globex');
    expect(sim.expireTokens('globex')).toBeGreaterThanOrEqual(1);
    const expired = await api(sim, 'GET', '/v1/installations/me', { token: tokens.access_token });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(expired.json).toEqual({ type: 'UNAUTHORIZED', message: 'JWT is expired.' });
    expect(sim.recorder.exchanges().at(-1)!.attribution.credential).toMatchObject({ origin: 'access-token', valid: false, reason: 'expired', company: globex().id });
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect((await api(sim, 'GET', '/v1/installations/me', { token: refreshed.access_token })).status).toBe(200);

    sim.setTokenLifetime(1, 'globex');
    try {
      const short = await client.refreshTokenGrant(config, refreshed.refresh_token!);
      expect(short.expires_in).toBe(1);
      await sim.recorder.waitQuiet({ quietMs: 1100 });
      expect((await api(sim, 'GET', '/v1/installations/me', { token: short.access_token })).status).toBe(401);
    } finally {
      sim.setTokenLifetime(900, 'globex');
    }
  });
});

describe('revocation', () => {
  it('revokes consent as the customer would: API 401, refresh invalid_grant, other companies unaffected', async () => {
    const a = await connectCompany(sim, config, 'acme');
    const g = await connectCompany(sim, config, 'globex');
    expect(sim.revokeConsent('acme')).toBeGreaterThanOrEqual(1);
    const call = await api(sim, 'GET', '/v3/export-jobs', { token: a.access_token });
    expect(call.status).toBe(401);
    expect(sim.recorder.exchanges().at(-1)!.attribution.credential).toMatchObject({ valid: false, reason: 'revoked', company: acme().id, label: expect.stringMatching(/^access-token#\d+ acme$/) });
    expect((await oauthError(client.refreshTokenGrant(config, a.refresh_token!))).error).toBe('invalid_grant');
    expect((await client.tokenIntrospection(config, a.access_token)).active).toBe(false);
    expect((await api(sim, 'GET', '/v3/export-jobs', { token: g.access_token })).status).toBe(200);
  });

  it('DELETE /v1/installations/me removes the installation and revokes the company grant', async () => {
    const tokens = await connectCompany(sim, config, 'globex');
    const deleted = await api(sim, 'DELETE', '/v1/installations/me', { token: tokens.access_token });
    expect(deleted.status).toBe(204);
    expect(sim.world.installation(sim.client.client_id, globex().id)).toBeUndefined();
    expect((await api(sim, 'GET', '/v1/installations/me', { token: tokens.access_token })).status).toBe(401);
    expect((await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!))).error).toBe('invalid_grant');
    // reconnecting works and creates a new installation
    const again = await connectCompany(sim, config, 'globex');
    expect((await api(sim, 'GET', '/v1/installations/me', { token: again.access_token })).status).toBe(200);
  });
});

describe('tenancy', () => {
  it('answers 403 ACCESS_DENIED for anything of another company and marks the exchange', async () => {
    const a = await connectCompany(sim, config, 'acme');
    const globexJob = sim.world.jobsOf(globex().id)[0]!;
    const attempts = [
      await api(sim, 'GET', `/v3/export-jobs?company_id=${globex().id}`, { token: a.access_token }),
      await api(sim, 'GET', `/v3/export-jobs/${globexJob.id}`, { token: a.access_token }),
      await api(sim, 'GET', `/v3/export-items?job_id=${globexJob.id}`, { token: a.access_token }),
      await api(sim, 'GET', `/v1/companies/${globex().id}`, { token: a.access_token }),
      await api(sim, 'POST', '/v3/export-job-events', { token: a.access_token, body: { jobId: globexJob.id, event: 'started' } }),
      await api(sim, 'PUT', `/v3/export-jobs/${globexJob.id}/items`, { token: a.access_token, body: { items: [] } }),
    ];
    for (const attempt of attempts) expect(attempt.status).toBe(403);
    for (const attempt of attempts) expect(attempt.json.type).toBe('ACCESS_DENIED');
    const marked = sim.recorder.exchanges((e) => e.attribution.crossCompany).slice(-attempts.length);
    expect(marked).toHaveLength(attempts.length);
    for (const exchange of marked) expect(exchange.attribution).toMatchObject({ company: globex().id, credential: { company: acme().id } });
    expect(globexJob.status).toBe('pending');
    // an update of acme's own job that slips in one of globex's items: refused whole
    const acmeJob = sim.world.jobsOf(acme().id)[0]!;
    expect((await api(sim, 'POST', '/v3/export-job-events', { token: a.access_token, body: { jobId: acmeJob.id, event: 'started' } })).status).toBe(202);
    const own = sim.world.itemsOf(acmeJob)[0]!;
    const before = own.status;
    const mixed = await api(sim, 'PUT', `/v3/export-jobs/${acmeJob.id}/items`, {
      token: a.access_token,
      body: { items: [{ accountingEntryId: own.accountingEntryId, status: 'successful' }, { accountingEntryId: sim.world.itemsOf(globexJob)[0]!.accountingEntryId, status: 'successful' }] },
    });
    expect([mixed.status, mixed.json.type]).toEqual([403, 'ACCESS_DENIED']);
    expect(sim.recorder.exchanges().at(-1)!.attribution.crossCompany).toBe(true);
    expect(own.status).toBe(before);
  });

  it('runs the export protocol on its own company, with the status machine and the 100-item limit', async () => {
    const company = sim.createCompany({ alias: 'initech', items: 3 });
    const tokens = await connectCompany(sim, config, 'initech');
    const jobs = await api(sim, 'GET', `/v3/export-jobs?company_id=${company.id}&statuses=pending`, { token: tokens.access_token });
    expect(jobs.json.data).toHaveLength(1);
    expect(jobs.json.pagination).toMatchObject({ hasNextPage: false, total: 1 });
    const job = jobs.json.data[0];
    const early = await api(sim, 'PUT', `/v3/export-jobs/${job.id}/items`, { token: tokens.access_token, body: { items: [] } });
    expect(early).toMatchObject({ status: 422, json: { type: 'EXPORT_JOB_STATUS_UNPROCESSABLE' } });
    expect((await api(sim, 'POST', '/v3/export-job-events', { token: tokens.access_token, body: { jobId: job.id, event: 'started' } })).status).toBe(202);
    const page1 = await api(sim, 'GET', `/v3/export-items?job_id=${job.id}&limit=2`, { token: tokens.access_token });
    expect(page1.json.data).toHaveLength(2);
    expect(page1.json.pagination.hasNextPage).toBe(true);
    expect(page1.json.pagination.endCursor).toMatch(/^[A-Z2-7=~]+$/);
    const page2 = await api(sim, 'GET', `/v3/export-items?job_id=${job.id}&limit=2&after=${page1.json.pagination.endCursor}`, { token: tokens.access_token });
    expect(page2.json.data).toHaveLength(1);
    const items = [...page1.json.data, ...page2.json.data];
    expect(JSON.stringify(items)).toContain(company.canary);
    const tooMany = Array.from({ length: 101 }, (_, i) => ({ accountingEntryId: items[i % 3].id, status: 'successful' }));
    expect(await api(sim, 'PUT', `/v3/export-jobs/${job.id}/items`, { token: tokens.access_token, body: { items: tooMany } })).toMatchObject({
      status: 413,
      json: { type: 'EXPORT_JOB_ITEMS_UPDATE_LIMIT' },
    });
    const update = await api(sim, 'PUT', `/v3/export-jobs/${job.id}/items`, {
      token: tokens.access_token,
      body: { items: items.map((item: { id: string }, i: number) => ({ accountingEntryId: item.id, status: 'successful', externalId: `ERP-${i}` })) },
    });
    expect(update.status).toBe(200);
    expect(update.json.errors).toEqual([]);
    expect((await api(sim, 'POST', '/v3/export-job-events', { token: tokens.access_token, body: { jobId: job.id, event: 'completed' } })).status).toBe(202);
    expect(await api(sim, 'POST', '/v3/export-job-events', { token: tokens.access_token, body: { jobId: job.id, event: 'started' } })).toMatchObject({
      status: 422,
      json: { type: 'INVALID_EXPORT_JOB_STATUS_CHANGE' },
    });
    expect(sim.world.jobs.get(job.id)!.status).toBe('completed');
    expect(sim.world.itemsOf(sim.world.jobs.get(job.id)!).map((item) => item.status)).toEqual(['successful', 'successful', 'successful']);
  });

  it('knows standalone and integrated API keys, and refuses the client secret as a credential', async () => {
    const integrated = sim.mintApiKey('integrated', 'acme');
    const standalone = sim.mintApiKey('standalone', 'globex');
    expect(integrated.value).toMatch(/^pls_[a-f0-9]+_[a-f0-9]+$/);
    const basic = (user: string, password = '') => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
    const viaKey = await api(sim, 'GET', '/v1/introspect', { headers: basic(integrated.value) });
    expect(viaKey.json.data).toMatchObject({ authMethod: 'API_KEY', clientId: sim.client.client_id, subjectURN: `urn:pleo:company:${acme().id}` });
    expect(sim.recorder.exchanges().at(-1)!.attribution.credential).toMatchObject({ kind: 'basic', origin: 'integrated-api-key', valid: true, company: acme().id });
    await api(sim, 'GET', '/v1/introspect', { headers: basic(standalone.value) });
    expect(sim.recorder.exchanges().at(-1)!.attribution.credential).toMatchObject({ origin: 'standalone-api-key', valid: true, company: globex().id });
    const crossKey = await api(sim, 'GET', `/v3/export-jobs?company_id=${globex().id}`, { headers: basic(integrated.value) });
    expect(crossKey.status).toBe(403);
    const secretAsKey = await api(sim, 'GET', '/v1/introspect', { headers: basic(sim.client.client_id, sim.client.client_secret) });
    expect(secretAsKey.status).toBe(401);
    expect(sim.recorder.exchanges().at(-1)!.attribution.credential).toMatchObject({ origin: 'client-credentials', valid: false });
    const headerKey = await api(sim, 'GET', '/v1/introspect', { headers: { 'x-api-key': standalone.value } });
    expect(headerKey.status).toBe(401);
    expect(sim.recorder.exchanges().at(-1)!.attribution.credential).toMatchObject({ kind: 'other', header: 'x-api-key', origin: 'standalone-api-key' });
    const unknownBearer = await api(sim, 'GET', '/v1/introspect', { token: 'made-up-token-value-123' });
    expect(unknownBearer.status).toBe(401);
    expect(sim.recorder.exchanges().at(-1)!.attribution.credential).toMatchObject({ kind: 'bearer', origin: 'unknown', valid: false });
    // a key in an ad-hoc header next to a working Authorization is still noted
    const both = await api(sim, 'GET', '/v1/introspect', { headers: { ...basic(integrated.value), 'x-api-key': standalone.value } });
    expect(both.status).toBe(200);
    expect(sim.recorder.exchanges().at(-1)!.attribution.credential).toMatchObject({ kind: 'basic', origin: 'integrated-api-key', valid: true, extraHeaders: ['x-api-key'] });
    // a request id is not a credential
    await api(sim, 'GET', '/v1/introspect', { headers: { ...basic(integrated.value), 'x-pleo-request-id': 'req-0001' } });
    expect(sim.recorder.exchanges().at(-1)!.attribution.credential.extraHeaders).toBeUndefined();
  });
});

describe('faults', () => {
  it('answers 429 with Retry-After for one company and endpoint, and keeps refusing inside the window', async () => {
    const a = await connectCompany(sim, config, 'acme');
    const g = await connectCompany(sim, config, 'globex');
    const id = sim.faults.add({ kind: 'rate-limit', company: acme().id, endpoint: 'GET /v3/export-jobs*', retryAfter: 1 });
    try {
      const limited = await api(sim, 'GET', '/v3/export-jobs', { token: a.access_token });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('1');
      expect(limited.json.type).toBe('TOO_MANY_REQUESTS');
      expect((await api(sim, 'GET', '/v3/export-jobs', { token: a.access_token })).status).toBe(429);
      expect((await api(sim, 'GET', '/v1/installations/me', { token: a.access_token })).status).toBe(200);
      expect((await api(sim, 'GET', '/v3/export-jobs', { token: g.access_token })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1050));
      expect((await api(sim, 'GET', '/v3/export-jobs', { token: a.access_token })).status).toBe(200);
    } finally {
      sim.faults.clear(id);
    }
  });

  it('answers a burst of 5xx, then recovers; also on the token endpoint', async () => {
    const a = await connectCompany(sim, config, 'acme');
    const id = sim.faults.add({ kind: 'server-error', company: acme().id, status: 503, count: 2 });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await api(sim, 'GET', '/v3/export-jobs', { token: a.access_token })).status);
      expect(statuses).toEqual([503, 503, 200]);
    } finally {
      sim.faults.clear(id);
    }
    const tokenFault = sim.faults.add({ kind: 'server-error', company: acme().id, endpoint: 'POST /oauth/token', count: 1 });
    try {
      expect((await oauthError(client.refreshTokenGrant(config, a.refresh_token!))).status).toBe(503);
      // the failed attempt did not consume the refresh token
      expect((await client.refreshTokenGrant(config, a.refresh_token!)).access_token).toBeTruthy();
    } finally {
      sim.faults.clear(tokenFault);
    }
  });

  it('adds latency', async () => {
    const a = await connectCompany(sim, config, 'acme');
    const id = sim.faults.add({ kind: 'latency', company: acme().id, endpoint: 'GET /v1/installations/me', ms: 150, count: 1 });
    try {
      const started = performance.now();
      await api(sim, 'GET', '/v1/installations/me', { token: a.access_token });
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
      expect(sim.recorder.exchanges().at(-1)!.attribution.fault).toBe('latency 150ms');
    } finally {
      sim.faults.clear(id);
    }
  });

  it('serves an endpoint whose certificate no client trusts', async () => {
    const { fetch: undiciFetch, Agent } = await import('undici');
    await expect(undiciFetch(`${sim.untrustedUrl}/v1/introspect`, { dispatcher: sim.dispatcher })).rejects.toThrow();
    const careless = new Agent({ connect: { rejectUnauthorized: false } });
    try {
      const response = await undiciFetch(`${sim.untrustedUrl}/v1/introspect`, { dispatcher: careless });
      expect(response.status).toBe(401);
      expect(sim.recorder.exchanges().at(-1)!.server).toBe('untrusted');
    } finally {
      await careless.close();
    }
  });
});

describe('webhooks', () => {
  let server: Server;
  let url: string;
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/pleo`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const verify = (headers: Record<string, string | string[] | undefined>, body: string, secret = sim.webhookSecret): boolean => {
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`).digest('base64');
    return String(headers['webhook-signature'] ?? '')
      .split(' ')
      .some((part) => part === `v1,${expected}`);
  };

  it('signs valid deliveries as Standard Webhooks, verified independently', async () => {
    const delivery = await sim.webhooks.send(url, { company: 'acme' });
    expect(delivery.status).toBe(204);
    const last = received.at(-1)!;
    expect(verify(last.headers, last.body)).toBe(true);
    expect(String(last.headers['webhook-id'])).toMatch(/^msg_/);
    expect(Math.abs(Number(last.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    const event = JSON.parse(last.body);
    expect(event).toMatchObject({ eventType: 'v1.export-job.created', data: { companyId: acme().id, status: 'pending' } });
    expect(event.eventId).toBeTruthy();
  });

  it('sends forged, unsigned, stale and duplicate deliveries', async () => {
    await sim.webhooks.send(url, { company: 'acme', kind: 'forged' });
    const forged = received.at(-1)!;
    expect(forged.headers['webhook-signature']).toBeTruthy();
    expect(verify(forged.headers, forged.body)).toBe(false);

    await sim.webhooks.send(url, { company: 'acme', kind: 'unsigned' });
    expect(received.at(-1)!.headers['webhook-signature']).toBeUndefined();

    await sim.webhooks.send(url, { company: 'acme', kind: 'stale' });
    const stale = received.at(-1)!;
    expect(verify(stale.headers, stale.body)).toBe(true);
    expect(Date.now() / 1000 - Number(stale.headers['webhook-timestamp'])).toBeGreaterThan(300);

    const valid = await sim.webhooks.send(url, { company: 'globex' });
    await sim.webhooks.send(url, { company: 'globex', kind: 'duplicate' });
    const duplicate = received.at(-1)!;
    expect(duplicate.headers['webhook-id']).toBe(valid.id);
    expect(duplicate.body).toBe(valid.body);
    expect(verify(duplicate.headers, duplicate.body)).toBe(true);

    const recorded = sim.recorder.exchanges((e) => e.server === 'webhook').map((e) => e.attribution.delivery);
    expect(recorded).toEqual(expect.arrayContaining(['valid', 'forged', 'unsigned', 'stale', 'duplicate']));
  });

  it('creates no export job for a delivery Pleo would never send', async () => {
    const company = sim.createCompany({ alias: 'hooli', items: 1 });
    sim.world.jobsOf(company.id)[0]!.status = 'completed';
    for (const kind of ['forged', 'unsigned', 'stale'] as const) await sim.webhooks.send(url, { company: 'hooli', kind });
    expect(sim.world.jobsOf(company.id)).toHaveLength(1);
    const announced = received.slice(-3).map((delivery) => JSON.parse(delivery.body).data.id);
    for (const id of announced) expect(sim.world.jobs.has(id)).toBe(false);
    await sim.webhooks.send(url, { company: 'hooli' });
    expect(sim.world.jobsOf(company.id).filter((job) => job.status === 'pending')).toHaveLength(1);
  });

  it('records an unreachable endpoint as an error, not a delivery', async () => {
    const delivery = await sim.webhooks.send('http://127.0.0.1:9/webhooks/pleo', { company: 'acme' });
    expect(delivery.status).toBe(0);
    expect(delivery.error).toMatch(/delivery failed/);
  });
});

describe('recorder', () => {
  it('keeps secrets out of everything it serializes', async () => {
    const tokens = await connectCompany(sim, config, 'acme');
    await client.refreshTokenGrant(config, tokens.refresh_token!);
    sim.mintApiKey('integrated', 'globex');
    const serialized = JSON.stringify(sim.recorder.toJSON());
    const secrets = sim.secrets.values();
    expect(secrets.length).toBeGreaterThan(5);
    for (const secret of secrets) expect(serialized.includes(secret), `a ${sim.secrets.lookup(secret)!.kind} leaked`).toBe(false);
    expect(serialized).toMatch(/‹access-token#\d+ acme›/);
    expect(serialized).toMatch(/‹refresh-token#\d+ acme›/);
    expect(serialized).toMatch(/‹authorization-code#\d+ acme›/);
    expect(serialized).toMatch(/Basic ‹[^›]*client-secret#1/);
    // the admin's AS session cookie, found in the raw traffic, not from the registry
    const cookies = sim.recorder
      .exchanges()
      .flatMap((exchange) => [...exchange.request.headers, ...exchange.response.headers])
      .filter(([name]) => name === 'set-cookie' || name === 'cookie')
      .flatMap(([, value]) => [...value.matchAll(/pleo_sim_session(?:\.sig)?=([^;\s]+)/g)].map((match) => match[1]!));
    expect(cookies.length).toBeGreaterThan(1);
    for (const value of cookies) expect(serialized.includes(value), `cookie value ${value.slice(0, 6)}… leaked`).toBe(false);
    expect(serialized).toMatch(/pleo_sim_session=‹session-cookie#\d+›/);
  });

  it('waits for quiet traffic', async () => {
    const quiet = await sim.recorder.waitQuiet({ quietMs: 100, timeoutMs: 2000 });
    expect(quiet).toBe(true);
    const a = await connectCompany(sim, config, 'acme');
    const busy = (async () => {
      for (let i = 0; i < 5; i += 1) {
        await api(sim, 'GET', '/v1/installations/me', { token: a.access_token });
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
    })();
    const started = Date.now();
    expect(await sim.recorder.waitQuiet({ quietMs: 150, timeoutMs: 5000 })).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await busy;
  });
});

async function fetchAuth(pathAndQuery: string): Promise<{ status: number; location?: string; body: string }> {
  const { request } = await import('undici');
  const response = await request(`${sim.authUrl}${pathAndQuery}`, { dispatcher: sim.dispatcher });
  const location = response.headers.location;
  return { status: response.statusCode, location: Array.isArray(location) ? location[0] : location, body: await response.body.text() };
}

function redirectParams(location: string | undefined): Record<string, string> {
  if (!location) throw new Error('expected a redirect');
  return Object.fromEntries(new URL(location).searchParams);
}
