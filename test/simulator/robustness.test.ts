// Bad input gets a proper 4xx in the shape of the server it hits, never a 5xx or a crash; the
// simulator survives a seeded fuzz loop and raw malformed HTTP over TLS, records every exchange
// that reached it, and still runs a whole OAuth flow afterwards.
import tls from 'node:tls';
import { request, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../src/simulator/api/routes.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { api, connectCompany, consent, oauthConfig, startFlow } from '../helpers/oauth.js';

type ServerName = 'auth' | 'api';

interface Spec {
  server: ServerName;
  method: string;
  /** Path and query, sent as is. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send 1.25 MiB as a chunked stream (no Content-Length) instead of `body`. */
  stream?: true;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

let sim: Simulator;
/** A Bearer token of acme with every scope the helpers ask for (export-jobs:read/write, ...). */
let token: string;
let jobId: string;
let clientBasic: string;

const base = (server: ServerName): string => (server === 'auth' ? sim.authUrl : sim.apiUrl);

async function send(spec: Spec): Promise<Answer> {
  const response = await request(`${base(spec.server)}${spec.path}`, {
    method: spec.method as Dispatcher.HttpMethod,
    headers: spec.headers,
    body: spec.body,
    dispatcher: sim.dispatcher,
    headersTimeout: 5_000,
    bodyTimeout: 5_000,
  });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const REDIRECT = 'http://127.0.0.1:8080/oauth/callback';

beforeAll(async () => {
  sim = await startSimulator({ companies: ['acme'], client: { redirect_uris: [REDIRECT] } });
  const tokens = await connectCompany(sim, oauthConfig(sim), 'acme');
  token = tokens.access_token;
  jobId = sim.world.jobsOf(sim.world.requireCompany('acme').id)[0]!.id;
  clientBasic = `Basic ${Buffer.from(`${encodeURIComponent(sim.client.client_id)}:${encodeURIComponent(sim.client.client_secret)}`).toString('base64')}`;
});
afterAll(() => sim?.close());

/** Pleo's API error body. */
const pleoError = (type: string) => ({ type, message: expect.any(String) });
/** An OAuth error body (RFC 6749 §5.2). */
const oauthError = (error: string) => ({ error, error_description: expect.any(String) });

interface Case {
  name: string;
  spec: () => Spec | Promise<Spec>;
  status: number;
  body: Record<string, unknown>;
  /** null: the header must be absent. */
  wwwAuthenticate?: RegExp | null;
  /** The path the recorder must attribute the exchange to. */
  recordedPath?: string;
}

const bearer = (): Record<string, string> => ({ authorization: `Bearer ${token}` });
const tokenRequest = (body: string | Buffer, headers: Record<string, string> = {}): Spec => ({
  server: 'auth',
  method: 'POST',
  path: '/oauth/token',
  headers: { authorization: clientBasic, 'content-type': FORM, ...headers },
  body,
});
const items = (count: number) => ({ items: Array.from({ length: count }, (_, i) => ({ accountingEntryId: `e${i}`, status: 'successful' })) });

const CASES: Case[] = [
  // --- the token endpoint (oidc-provider behind the Pleo profile) ---
  {
    name: 'token: JSON instead of a form',
    spec: () => tokenRequest(JSON.stringify({ grant_type: 'authorization_code', code: 'x' }), { 'content-type': JSON_TYPE }),
    status: 400,
    body: oauthError('invalid_request'),
  },
  { name: 'token: empty form body', spec: () => tokenRequest(''), status: 400, body: oauthError('invalid_request') },
  { name: 'token: unknown grant_type', spec: () => tokenRequest('grant_type=password&username=a&password=b'), status: 400, body: oauthError('unsupported_grant_type') },
  { name: 'token: client_credentials is not offered', spec: () => tokenRequest('grant_type=client_credentials'), status: 400, body: oauthError('unsupported_grant_type') },
  {
    name: 'token: a real code without code_verifier',
    spec: async () => {
      const config = oauthConfig(sim);
      const flow = await startFlow(sim, config);
      const callback = await consent(sim, flow.authorizeUrl, 'acme');
      return tokenRequest(new URLSearchParams({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: REDIRECT }).toString());
    },
    status: 400,
    body: oauthError('invalid_grant'),
  },
  {
    name: 'token: a real code with the wrong code_verifier',
    spec: async () => {
      const config = oauthConfig(sim);
      const flow = await startFlow(sim, config);
      const callback = await consent(sim, flow.authorizeUrl, 'acme');
      const code = callback.searchParams.get('code')!;
      return tokenRequest(new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: 'x'.repeat(43) }).toString());
    },
    status: 400,
    body: oauthError('invalid_grant'),
  },
  { name: 'token: unknown code', spec: () => tokenRequest(`grant_type=authorization_code&code=nope&redirect_uri=${encodeURIComponent(REDIRECT)}&code_verifier=${'v'.repeat(43)}`), status: 400, body: oauthError('invalid_grant') },
  {
    name: 'token: Basic value that is not base64',
    spec: () => tokenRequest('grant_type=authorization_code&code=x', { authorization: 'Basic !!!not*base64!!!' }),
    status: 400,
    body: oauthError('invalid_request'),
  },
  {
    name: 'token: Basic without a colon',
    spec: () => tokenRequest('grant_type=authorization_code&code=x', { authorization: `Basic ${Buffer.from('no-colon-here').toString('base64')}` }),
    status: 400,
    body: oauthError('invalid_request'),
  },
  {
    name: 'token: Basic with a wrong secret',
    spec: () => tokenRequest('grant_type=authorization_code&code=x', { authorization: `Basic ${Buffer.from(`${sim.client.client_id}:wrong`).toString('base64')}` }),
    status: 401,
    body: oauthError('invalid_client'),
  },
  {
    name: 'token: client_secret_post is refused',
    spec: () => ({ ...tokenRequest(`grant_type=authorization_code&code=x&client_id=${sim.client.client_id}&client_secret=${encodeURIComponent(sim.client.client_secret)}`), headers: { 'content-type': FORM } }),
    status: 401,
    body: oauthError('invalid_client'),
    // RFC 6749 §5.2: WWW-Authenticate only when the client authenticated with the Authorization header
    wwwAuthenticate: null,
  },
  {
    name: 'token: invalid UTF-8 in the form',
    spec: () => tokenRequest(Buffer.from([0x67, 0x72, 0x61, 0x6e, 0x74, 0x5f, 0x74, 0x79, 0x70, 0x65, 0x3d, 0xff, 0xfe, 0xc3, 0x28, 0x25, 0x45, 0x30])),
    status: 400,
    body: oauthError('unsupported_grant_type'),
  },
  { name: 'token: body over 1 MiB (Content-Length)', spec: () => tokenRequest(Buffer.alloc(1024 * 1024 + 1, 'a')), status: 413, body: pleoError('PAYLOAD_TOO_LARGE') },
  {
    name: 'token: body over 1 MiB (chunked, no Content-Length)',
    spec: () => ({ ...tokenRequest(''), body: undefined, stream: true }),
    status: 413,
    body: pleoError('PAYLOAD_TOO_LARGE'),
  },
  {
    name: 'introspect: percent garbage in the token',
    spec: () => ({ server: 'auth', method: 'POST', path: '/oauth/token/introspect', headers: { authorization: clientBasic, 'content-type': FORM }, body: 'token=%E0%A4%A&token_type_hint=%zz' }),
    status: 200,
    body: { active: false },
  },
  { name: 'auth: no discovery document', spec: () => ({ server: 'auth', method: 'GET', path: '/.well-known/openid-configuration' }), status: 404, body: pleoError('NOT_FOUND') },

  // --- the API: bodies ---
  {
    name: 'api: malformed JSON',
    spec: () => ({ server: 'api', method: 'POST', path: '/v3/export-job-events', headers: { ...bearer(), 'content-type': JSON_TYPE }, body: '{"jobId": "x", "event":' }),
    status: 400,
    body: pleoError('BAD_REQUEST'),
  },
  {
    name: 'api: JSON that is not an object',
    spec: () => ({ server: 'api', method: 'POST', path: '/v3/export-job-events', headers: { ...bearer(), 'content-type': JSON_TYPE }, body: '["started"]' }),
    status: 400,
    body: pleoError('BAD_REQUEST'),
  },
  {
    name: 'api: invalid UTF-8 as JSON',
    spec: () => ({ server: 'api', method: 'POST', path: '/v3/export-job-events', headers: { ...bearer(), 'content-type': JSON_TYPE }, body: Buffer.from([0x7b, 0xff, 0xfe, 0x22, 0xc3, 0x28, 0x7d]) }),
    status: 400,
    body: pleoError('BAD_REQUEST'),
  },
  {
    name: 'api: empty body',
    spec: () => ({ server: 'api', method: 'POST', path: '/v3/export-job-events', headers: { ...bearer(), 'content-type': JSON_TYPE }, body: '' }),
    status: 400,
    body: pleoError('BAD_REQUEST'),
  },
  {
    name: 'api: wrong content type',
    spec: () => ({ server: 'api', method: 'POST', path: '/v3/export-job-events', headers: { ...bearer(), 'content-type': 'text/plain' }, body: JSON.stringify({ jobId, event: 'started' }) }),
    status: 415,
    body: pleoError('UNSUPPORTED_MEDIA_TYPE'),
  },
  {
    name: 'api: no content type',
    spec: () => ({ server: 'api', method: 'POST', path: '/v3/export-job-events', headers: bearer(), body: JSON.stringify({ jobId, event: 'started' }) }),
    status: 415,
    body: pleoError('UNSUPPORTED_MEDIA_TYPE'),
  },
  {
    name: 'api: unknown job event',
    spec: () => ({ server: 'api', method: 'POST', path: '/v3/export-job-events', headers: { ...bearer(), 'content-type': JSON_TYPE }, body: JSON.stringify({ jobId, event: '__proto__' }) }),
    status: 400,
    body: pleoError('BAD_REQUEST'),
  },
  {
    name: 'api: unknown job event named like an Object.prototype member',
    spec: () => ({ server: 'api', method: 'POST', path: '/v3/export-job-events', headers: { ...bearer(), 'content-type': JSON_TYPE }, body: JSON.stringify({ jobId, event: 'toString' }) }),
    status: 400,
    body: pleoError('BAD_REQUEST'),
  },
  {
    name: 'api: installation errorCode that is an object',
    spec: () => ({ server: 'api', method: 'PUT', path: '/v1/installations/me', headers: { ...bearer(), 'content-type': JSON_TYPE }, body: '{"errorCode": {"toString": 1}}' }),
    status: 400,
    body: pleoError('BAD_REQUEST'),
  },
  {
    name: 'api: items is not an array',
    spec: () => ({ server: 'api', method: 'PUT', path: `/v3/export-jobs/${jobId}/items`, headers: { ...bearer(), 'content-type': JSON_TYPE }, body: JSON.stringify({ items: { 0: 'a' } }) }),
    status: 400,
    body: pleoError('BAD_REQUEST'),
  },
  {
    name: 'api: 101 items',
    spec: () => ({ server: 'api', method: 'PUT', path: `/v3/export-jobs/${jobId}/items`, headers: { ...bearer(), 'content-type': JSON_TYPE }, body: JSON.stringify(items(101)) }),
    status: 413,
    body: pleoError('EXPORT_JOB_ITEMS_UPDATE_LIMIT'),
  },
  {
    // the boundary: 100 items pass the limit and meet the (pending) job's status check
    name: 'api: 100 items on a pending job',
    spec: () => ({ server: 'api', method: 'PUT', path: `/v3/export-jobs/${jobId}/items`, headers: { ...bearer(), 'content-type': JSON_TYPE }, body: JSON.stringify(items(100)) }),
    status: 422,
    body: pleoError('EXPORT_JOB_STATUS_UNPROCESSABLE'),
  },
  {
    name: 'api: body over 1 MiB',
    spec: () => ({ server: 'api', method: 'PUT', path: `/v3/export-jobs/${jobId}/items`, headers: { ...bearer(), 'content-type': JSON_TYPE }, body: Buffer.alloc(1024 * 1024 + 1, ' ') }),
    status: 413,
    body: pleoError('PAYLOAD_TOO_LARGE'),
  },

  // --- the API: queries and paths ---
  ...['limit=0', 'limit=-1', 'limit=abc', 'limit=1.5', 'limit=1001', 'limit=1e2x', 'after=garbage', 'after=ABC', 'after=%E0%A4%A', 'after=AB'].map(
    (query): Case => ({
      name: `api: bad page query ${query}`,
      spec: () => ({ server: 'api', method: 'GET', path: `/v3/export-jobs?${query}`, headers: bearer() }),
      status: 400,
      body: pleoError('BAD_REQUEST'),
    }),
  ),
  { name: 'api: unknown status filter', spec: () => ({ server: 'api', method: 'GET', path: '/v3/export-jobs?statuses=pending,bogus', headers: bearer() }), status: 400, body: pleoError('BAD_REQUEST') },
  { name: 'api: export-items without job_id', spec: () => ({ server: 'api', method: 'GET', path: '/v3/export-items', headers: bearer() }), status: 400, body: pleoError('BAD_REQUEST') },
  { name: 'api: unknown path with a token', spec: () => ({ server: 'api', method: 'GET', path: '/v2/nothing-here', headers: bearer() }), status: 404, body: pleoError('NOT_FOUND') },
  {
    name: 'api: unknown path without a token',
    spec: () => ({ server: 'api', method: 'GET', path: '/v2/nothing-here' }),
    status: 401,
    body: pleoError('UNAUTHORIZED'),
    wwwAuthenticate: /^Bearer realm="pleo"$/,
  },
  { name: 'api: wrong method', spec: () => ({ server: 'api', method: 'PATCH', path: '/v3/export-jobs', headers: bearer() }), status: 405, body: pleoError('METHOD_NOT_ALLOWED') },
  { name: 'api: unknown job', spec: () => ({ server: 'api', method: 'GET', path: '/v3/export-jobs/00000000-0000-0000-0000-000000000000', headers: bearer() }), status: 404, body: pleoError('EXPORT_NOT_FOUND') },
  { name: 'api: percent garbage in a path parameter', spec: () => ({ server: 'api', method: 'GET', path: '/v3/export-jobs/%E0%A4%A', headers: bearer() }), status: 400, body: pleoError('BAD_REQUEST') },
  { name: 'api: percent garbage before /items', spec: () => ({ server: 'api', method: 'PUT', path: '/v3/export-jobs/%zz/items', headers: bearer() }), status: 400, body: pleoError('BAD_REQUEST') },
  {
    // a base URL with a trailing slash: "//v1/..." is not "/v1/...", nor host "v1" with path "/introspect"
    name: 'api: double slash at the start of the path',
    spec: () => ({ server: 'api', method: 'GET', path: '//v1/introspect', headers: bearer() }),
    status: 404,
    body: pleoError('NOT_FOUND'),
    recordedPath: '//v1/introspect',
  },
  {
    name: 'api: a host-like first segment',
    spec: () => ({ server: 'api', method: 'GET', path: '//evil.example/v1/installations/me', headers: bearer() }),
    status: 404,
    body: pleoError('NOT_FOUND'),
    recordedPath: '//evil.example/v1/installations/me',
  },
  { name: 'api: encoded slash in a path parameter', spec: () => ({ server: 'api', method: 'GET', path: `/v3/export-jobs/${jobId}%2Fitems`, headers: bearer() }), status: 404, body: pleoError('EXPORT_NOT_FOUND') },
  { name: 'api: another company by id', spec: () => ({ server: 'api', method: 'GET', path: `/v3/export-jobs?company_id=${'1'.repeat(36)}`, headers: bearer() }), status: 403, body: pleoError('ACCESS_DENIED') },

  // --- the API: credentials ---
  ...(
    [
      ['no credential', {}, /^Bearer realm="pleo"$/],
      ['Bearer with no token', { authorization: 'Bearer' }, /error="invalid_token"/],
      ['Bearer with a made-up token', { authorization: 'Bearer abc.def.ghi' }, /error="invalid_token"/],
      ['Basic garbage', { authorization: 'Basic %%%garbage%%%' }, /error="invalid_token"/],
      ['Basic with an unknown key', { authorization: `Basic ${Buffer.from('pls_0000_00:').toString('base64')}` }, /error="invalid_token"/],
      ['Basic with the client id and secret', { authorization: 'CLIENT' }, /error="invalid_token"/],
      ['Digest', { authorization: 'Digest x' }, /error="invalid_token"/],
      ['a scheme and nothing else', { authorization: 'x' }, /error="invalid_token"/],
      ['X-API-Key header', { 'x-api-key': 'pls_0123456789abcdef0123456789abcdef_abcdef' }, /error="invalid_token"/],
      ['the access token in X-Access-Token', { 'x-access-token': 'TOKEN' }, /error="invalid_token"/],
    ] as [string, Record<string, string>, RegExp][]
  ).map(
    ([name, headers, wwwAuthenticate]): Case => ({
      name: `api: credential ${name}`,
      spec: () => ({
        server: 'api',
        method: 'GET',
        path: '/v1/installations/me',
        headers: Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, value === 'CLIENT' ? clientBasic : value === 'TOKEN' ? token : value])),
      }),
      status: 401,
      body: pleoError('UNAUTHORIZED'),
      wwwAuthenticate,
    }),
  ),
];

describe('bad input gets a 4xx in the right shape', () => {
  it('the fixtures work: the token and an API key are accepted', async () => {
    const me = await api(sim, 'GET', '/v1/installations/me', { token });
    expect(me.status).toBe(200);
    const key = sim.mintApiKey('integrated', 'acme');
    const withKey = await send({ server: 'api', method: 'GET', path: '/v1/installations/me', headers: { authorization: `Basic ${Buffer.from(`${key.value}:`).toString('base64')}` } });
    expect(withKey.status).toBe(200);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const spec = await c.spec();
    const before = sim.recorder.size;
    const answer = spec.stream
      ? await send({
          ...spec,
          // a streamed body with no Content-Length: the limit must hold while reading, not just on the header
          body: (async function* () {
            for (let i = 0; i < 20; i += 1) yield Buffer.alloc(64 * 1024, 'a');
          })() as never,
        })
      : await send(spec);
    expect(answer.status, answer.text.slice(0, 300)).toBe(c.status);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.json).toEqual(c.body);
    if (c.wwwAuthenticate) expect(answer.headers['www-authenticate']).toMatch(c.wwwAuthenticate);
    if (c.wwwAuthenticate === null) expect(answer.headers['www-authenticate']).toBeUndefined();
    if (spec.server === 'api' && c.status === 401) expect(answer.headers['www-authenticate']).toBeDefined();
    // recorded, attributed, and no internal error behind the 4xx
    await sim.recorder.waitQuiet({ quietMs: 0, timeoutMs: 2_000 });
    const exchange = sim.recorder.exchanges((e) => e.seq > 0).at(-1)!;
    expect(sim.recorder.size).toBeGreaterThan(before);
    expect(exchange.response.status).toBe(c.status);
    if (c.recordedPath) expect(exchange.path).toBe(c.recordedPath);
    expect(exchange.attribution.error).toBeUndefined();
  });
});

// --- fuzzing ---------------------------------------------------------------------------------

/** mulberry32: a tiny seeded PRNG, so a failing run can be replayed with FUZZ_SEED. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface FuzzCredentials {
  token: string;
  refreshToken: string;
  apiKey: string;
  /** A customer's own key: not revoked when the fuzz deletes the installation. */
  standaloneKey: string;
  clientBasic: string;
  jobId: string;
  itemIds: string[];
  companyId: string;
}

/** Every request a fuzz run sends; all of them well-formed HTTP (the raw tests cover malformed HTTP). */
function fuzzRequests(seed: number, count: number, creds: FuzzCredentials): Spec[] {
  const random = mulberry32(seed);
  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  /** For lists of JSON values of mixed types. */
  const pickAny = (list: readonly unknown[]): unknown => pick(list);
  const chance = (p: number): boolean => random() < p;
  const ascii = (n: number, alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&\'()*+,;=:@/?%[]{}|^`"<>\\'): string =>
    Array.from({ length: n }, () => alphabet[int(alphabet.length)]).join('');
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)));
  // what request targets may hold in undici (no spaces, controls or #) and Node's parser accepts
  const pathSafe = (text: string): string => text.replace(/[^\x21-\x7e]|#/g, (char) => encodeURIComponent(char === '#' ? '#' : char));

  const uuid = '5b1e7c1e-0000-4000-8000-000000000000';
  const segments = [creds.jobId, creds.companyId, uuid, '', '.', '..', '%', '%zz', '%E0%A4%A', '%00', '%2F', '%252F', 'a'.repeat(300), '__proto__', 'constructor', ':activate', '%F0%9F%92%A9', 'null', '-1'];
  const apiPaths = [
    '/v1/introspect',
    '/v1/installations/me',
    '/v1/installations/me:activate',
    '/v1/companies/{id}',
    '/v3/export-jobs',
    '/v3/export-jobs/{id}',
    '/v3/export-jobs/{id}/items',
    '/v3/export-job-events',
    '/v3/export-items',
  ];
  const authPaths = [
    '/oauth/authorize',
    '/oauth/token',
    '/oauth/token/introspect',
    '/oauth/jwks',
    '/oauth/interaction/{id}',
    '/oauth/authorize/{id}',
    '/oauth/logout',
    '/.well-known/openid-configuration',
    '/.well-known/oauth-authorization-server',
  ];
  const mutatePath = (path: string): string => {
    let out = path.replace('{id}', () => pick(segments));
    const mutation = int(10);
    if (mutation === 0) out += '/';
    else if (mutation === 1) out = out.replace(/\//g, '//');
    else if (mutation === 2) out = out.toUpperCase();
    else if (mutation === 3) out += `/${pick(segments)}`;
    else if (mutation === 4) out = out.slice(0, int(out.length) + 1) || '/';
    else if (mutation === 5) out = `${out};jsessionid=${ascii(4)}`;
    else if (mutation === 6) out = out.replace(/[a-z]/, (char) => `%${char.charCodeAt(0).toString(16)}`);
    else if (mutation === 7) out = `/${ascii(1 + int(30))}`;
    return pathSafe(out.startsWith('/') ? out : `/${out}`);
  };

  const queryKeys = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'limit', 'after', 'job_id', 'company_id', 'statuses', 'prompt', 'urn_pleo_params_oauth_subject', 'request', 'response_mode', ''];
  const queryValue = (key: string): string =>
    pick([
      () => (key === 'client_id' ? sim.client.client_id : key === 'redirect_uri' ? REDIRECT : key === 'job_id' ? creds.jobId : key === 'company_id' ? creds.companyId : ascii(8)),
      () => pick(['code', 'token', 'none', 'S256', 'plain', 'export-jobs:read', 'openid offline_access', 'bogus:scope', 'pending,bogus', '0', '-1', '1001', '50', 'ABCD', 'o1', `urn:pleo:company:${creds.companyId}`]),
      () => ascii(int(40)),
      () => pick(['%', '%zz', '%E0%A4%A', '%00', '%FF%FE', '%C3%28', '%uD800']),
      () => 'x'.repeat(int(4000)),
    ])();
  const query = (): string => {
    if (chance(0.4)) return '';
    const parts = Array.from({ length: 1 + int(5) }, () => {
      const key = pick(queryKeys);
      return chance(0.1) ? pathSafe(ascii(int(6))) : `${key}=${pathSafe(encodeURIComponent(queryValue(key)).replace(/%25/g, () => (chance(0.5) ? '%' : '%25')))}`;
    });
    return `?${parts.join(pick(['&', '&&', ';']))}`;
  };

  const authorizations = [
    () => `Bearer ${creds.token}`,
    () => `Bearer ${creds.refreshToken}`,
    () => `Basic ${Buffer.from(`${creds.apiKey}:`).toString('base64')}`,
    () => creds.clientBasic,
    () => `Bearer ${ascii(int(60))}`,
    () => `Basic ${ascii(int(30))}`,
    () => `Basic ${Buffer.from(ascii(int(30))).toString('base64')}`,
    () => pick(['Bearer', 'Basic', 'Digest x', 'Negotiate', 'bearer  ', `Token ${creds.token}`, 'Basic Og==', 'Bearer %00']),
  ];
  const contentTypes = [FORM, `${FORM}; charset=utf-8`, JSON_TYPE, 'application/json;charset=UTF-8', 'text/plain', 'multipart/form-data; boundary=x', 'application/octet-stream', 'application/jsonx', ascii(10), ''];
  const headerNames = ['accept', 'accept-encoding', 'accept-language', 'cookie', 'origin', 'referer', 'user-agent', 'x-api-key', 'x-auth-token', 'x-pleo-company', 'x-forwarded-for', 'x-forwarded-proto', 'if-none-match', 'range', 'dpop', 'x-request-id'];
  const headerValue = (): string => {
    const value = pick([
      () => ascii(int(50)),
      () => `pleo_sim_session=${ascii(int(30))}; pleo_sim_interaction=${ascii(int(30))}; pleo_sim_interaction.sig=${ascii(10)}`,
      () => bytes(int(30)).toString('latin1'),
      () => 'x'.repeat(int(3000)),
    ])();
    return value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '').trim();
  };

  const eventBody = () => ({
    jobId: chance(0.7) ? creds.jobId : pick([ascii(8), 7, null, ['x']]),
    event: pick(['started', 'completed', 'completed_with_errors', 'failed', 'bogus', 7, null, '__proto__', 'toString', 'constructor', 'hasOwnProperty', 'valueOf']),
    failureReason: chance(0.3) ? pick([ascii(20), { toString: 1 }, 7]) : undefined,
  });
  const itemsBody = () =>
    pick([
      () => ({
        items: Array.from({ length: pick([0, 1, 3, 99, 100, 101, 150]) }, () =>
          pick([
            () => ({ accountingEntryId: chance(0.5) ? pick(creds.itemIds) : pick([ascii(8), 7, null, '__proto__']), status: pick(['successful', 'failed', 'pending', 1, null, 'toString']), externalId: pick([ascii(5), 5, { a: 1 }]), externalUrl: pick([ascii(5), null, []]), failureReason: pick([undefined, ascii(5), { toString: 1 }]) }),
            () => pickAny([null, 1, 'a', [], {}, { toString: 1 }]),
          ])(),
        ),
      }),
      () => ({ items: pick([null, 'x', 1, {}, { length: 101 }, [null, 1, 'a', [], {}]]) }),
    ])();
  // each field present or not, valid or not, independently: a bad field must not always hide the next one
  const installationBody = () => {
    const out: Record<string, unknown> = {};
    if (chance(0.5)) out.status = chance(0.6) ? pick(['ACTIVATED', 'ERROR', 'PENDING_INTEGRATION']) : pickAny(['bogus', 'toString', null, { toString: 1 }]);
    if (chance(0.5)) out.metadata = chance(0.6) ? { a: ascii(10) } : pick([null, [], 'x', JSON.parse('{"__proto__": {"polluted": true}}')]);
    if (chance(0.7)) out.errorCode = pickAny([ascii(5), 7, null, { toString: 1 }, { valueOf: 1, toString: 1 }, [1]]);
    return out;
  };
  const json = (path = ''): unknown =>
    pick([
      ...(path.includes('export-job-events') ? [eventBody, eventBody, eventBody] : [eventBody]),
      ...(path.endsWith('/items') ? [itemsBody, itemsBody, itemsBody] : [itemsBody]),
      ...(path.startsWith('/v1/installations') ? [installationBody, installationBody, installationBody] : [installationBody]),
      () => JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'),
      () => pick([null, 1, 'string', [], true]),
    ])();
  const body = (): string | Buffer | undefined =>
    pick([
      () => undefined,
      () => '',
      () => bytes(int(2000)),
      () => Buffer.concat([Buffer.from('{"jobId":"'), bytes(20), Buffer.from('"}')]),
      () => JSON.stringify(json()),
      () => JSON.stringify(json()).slice(0, -1 - int(5)),
      () => `${'['.repeat(5000)}${']'.repeat(5000)}`,
      () =>
        new URLSearchParams({
          grant_type: pick(['authorization_code', 'refresh_token', 'client_credentials', 'password', '', ascii(8)]),
          code: ascii(int(40)),
          refresh_token: chance(0.3) ? creds.refreshToken : ascii(20),
          redirect_uri: chance(0.5) ? REDIRECT : ascii(20),
          code_verifier: ascii(int(130)),
          token: chance(0.3) ? creds.token : ascii(20),
          ...(chance(0.2) ? { client_id: sim.client.client_id, client_secret: ascii(10) } : {}),
        }).toString(),
      () => `${ascii(int(200))}=${ascii(int(200))}&%zz=%E0%A4%A&a=%FF`,
      () => `company=${creds.companyId}&decision=${pick(['approve', 'deny', 'bogus', ''])}`,
    ])();

  const methods = ['GET', 'GET', 'GET', 'POST', 'POST', 'POST', 'PUT', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'PROPFIND', 'SEARCH', 'PURGE', 'MKCOL', 'REPORT', 'LOCK'];
  const apiCredentials = [
    () => `Bearer ${creds.token}`,
    () => `Basic ${Buffer.from(`${creds.apiKey}:`).toString('base64')}`,
    () => `Basic ${Buffer.from(`${creds.standaloneKey}:`).toString('base64')}`,
    () => `Basic ${Buffer.from(`${creds.standaloneKey}:`).toString('base64')}`,
  ];
  const authRoutes: [string, string][] = [
    ['GET', '/oauth/authorize'],
    ['POST', '/oauth/token'],
    ['POST', '/oauth/token'],
    ['POST', '/oauth/token/introspect'],
    ['GET', '/oauth/jwks'],
    ['POST', '/oauth/interaction/{id}'],
    ['GET', '/oauth/authorize/{id}'],
  ];
  const authorizeQuery = (): string => {
    const params: Record<string, string> = {
      response_type: 'code',
      client_id: sim.client.client_id,
      redirect_uri: REDIRECT,
      scope: pick(['export-jobs:read', 'export-jobs:read export-items:read', 'openid', 'bogus:scope', '']),
      state: ascii(int(20)),
      code_challenge: ascii(43, 'abcdefghijklmnopqrstuvwxyz0123456789-_'),
      code_challenge_method: pick(['S256', 'S256', 'plain', '']),
    };
    // one parameter off or gone
    const key = pick([...Object.keys(params), 'none']);
    if (key !== 'none') {
      if (chance(0.5)) delete params[key];
      else params[key] = queryValue(key);
    }
    return `?${new URLSearchParams(params).toString()}`;
  };

  // routes that read a body come up three times as often
  const bodyRoutes = ROUTES.filter((route) => route.method === 'POST' || route.method === 'PUT');
  const weightedRoutes = [...ROUTES, ...bodyRoutes, ...bodyRoutes];
  const specs: Spec[] = [];
  for (let i = 0; i < count; i += 1) {
    const server: ServerName = chance(0.5) ? 'api' : 'auth';
    const headers: Record<string, string> = {};
    // most requests are coherent (a route's own method, a good credential, a fitting body) with
    // something off, so the fuzz gets past the 401/404 wall into the handlers; the rest is chaos
    if (chance(0.6)) {
      let method: string;
      let path: string;
      let payload: string | Buffer | undefined;
      if (server === 'api') {
        const route = pick(weightedRoutes);
        method = chance(0.9) ? route.method : pick(methods);
        path = pathSafe(route.path.replace(/\{\w+\}/g, () => (chance(0.8) ? (route.path.startsWith('/v1/companies') ? creds.companyId : creds.jobId) : pick(segments))));
        // no revoking the fuzzer's own credentials: DELETE /v1/installations/me stays with the chaotic half
        if (method === 'DELETE') method = 'GET';
        if (chance(0.5)) path += `?${pick(['limit', 'after', 'job_id', 'company_id', 'statuses'])}=${pathSafe(encodeURIComponent(queryValue(pick(queryKeys))))}`;
        headers.authorization = chance(0.9) ? pick(apiCredentials)() : pick(authorizations)();
        if (method !== 'GET' && method !== 'HEAD') {
          headers['content-type'] = chance(0.85) ? JSON_TYPE : pick(contentTypes);
          payload = chance(0.85) ? JSON.stringify(json(route.path)) : body();
        }
      } else {
        const [routeMethod, routePath] = pick(authRoutes);
        method = chance(0.9) ? routeMethod : pick(methods);
        path = pathSafe(routePath.replace('{id}', () => ascii(1 + int(30), 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_')));
        if (routePath === '/oauth/authorize') path += authorizeQuery();
        if (method !== 'GET' && method !== 'HEAD') {
          headers['content-type'] = chance(0.85) ? FORM : pick(contentTypes);
          headers.authorization = chance(0.8) ? creds.clientBasic : pick(authorizations)();
          payload = body();
        }
      }
      specs.push({ server, method, path, headers, body: payload });
      continue;
    }
    const method = pick(methods);
    if (chance(0.7)) headers.authorization = pick(authorizations)();
    if (chance(0.6)) headers['content-type'] = pick(contentTypes);
    for (let h = int(4); h > 0; h -= 1) headers[chance(0.5) ? pick(headerNames) : `x-fuzz-${ascii(1 + int(10), 'abcdefghijklmnopqrstuvwxyz0123456789-')}`] = headerValue();
    const payload = method === 'HEAD' ? undefined : body();
    specs.push({ server, method, path: `${mutatePath(pick(server === 'api' ? apiPaths : authPaths))}${query()}`, headers, body: payload });
  }
  return specs;
}

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next;
        next += 1;
        await work(items[index]!, index);
      }
    }),
  );
}

const describeSpec = (spec: Spec): string =>
  `${spec.method} ${spec.server}${spec.path.slice(0, 200)} headers=${JSON.stringify(spec.headers).slice(0, 300)} body=${spec.body === undefined ? 'none' : JSON.stringify(spec.body.toString('latin1').slice(0, 120))}`;

/** What a request said that came back, checked against the shape of the server that answered. */
function problems(spec: Spec, answer: Answer): string[] {
  const found: string[] = [];
  if (answer.status >= 500) found.push(`status ${answer.status}`);
  if (answer.status < 100) found.push(`status ${answer.status}`);
  if (spec.method === 'HEAD') return found;
  const contentType = String(answer.headers['content-type'] ?? '');
  if (spec.server === 'api') {
    // every API answer is JSON; every API error is {type, message}; every 401 says how to authenticate
    if (answer.status !== 204 && !contentType.startsWith('application/json')) found.push(`content-type "${contentType}"`);
    if (answer.status === 204 && answer.text !== '') found.push('204 with a body');
    const body = answer.json as { type?: unknown; message?: unknown } | undefined;
    if (answer.status >= 400 && (typeof body?.type !== 'string' || typeof body?.message !== 'string')) found.push(`error body ${answer.text.slice(0, 200)}`);
    if (answer.status === 401 && !answer.headers['www-authenticate']) found.push('401 without WWW-Authenticate');
  } else if ((['/oauth/token', '/oauth/token/introspect'].includes(spec.path.split('?')[0]!) && spec.method === 'POST') || answer.status === 413) {
    // token and introspection errors are OAuth JSON; the body limit answers in Pleo's shape
    const body = answer.json as { error?: unknown; type?: unknown } | undefined;
    if (answer.status >= 400 && typeof body?.error !== 'string' && typeof body?.type !== 'string') found.push(`error body ${answer.text.slice(0, 200)}`);
  }
  return found;
}

describe('fuzzing', () => {
  it('~1500 seeded random requests: never a 5xx, every one recorded, and OAuth still works', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 0x5eed1e55);
    const count = Number(process.env.FUZZ_COUNT ?? 1500);
    // a fresh connect of acme for the fuzzer's own credentials (it may revoke them: DELETE installations/me)
    const config = oauthConfig(sim);
    const tokens = await connectCompany(sim, config, 'acme');
    const acme = sim.world.requireCompany('acme');
    const job = sim.world.jobsOf(acme.id)[0]!;
    const creds: FuzzCredentials = {
      token: tokens.access_token,
      refreshToken: tokens.refresh_token!,
      apiKey: sim.mintApiKey('integrated', 'acme').value,
      standaloneKey: sim.mintApiKey('standalone', 'acme').value,
      clientBasic,
      jobId: job.id,
      itemIds: job.itemIds,
      companyId: acme.id,
    };
    const specs = fuzzRequests(seed, count, creds);
    await sim.recorder.waitQuiet({ quietMs: 0, timeoutMs: 2_000 });
    const before = sim.recorder.size;
    const firstSeq = Math.max(0, ...sim.recorder.exchanges().map((e) => e.seq));

    const failures: string[] = [];
    const statuses = new Map<number, number>();
    await pool(specs, 8, async (spec, index) => {
      try {
        const answer = await send(spec);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const found = problems(spec, answer);
        if (found.length) failures.push(`#${index} ${found.join(', ')}: ${describeSpec(spec)} → ${answer.status} ${answer.text.slice(0, 200)}`);
      } catch (error) {
        failures.push(`#${index} request failed: ${(error as Error).message}: ${describeSpec(spec)}`);
      }
    });
    expect(failures, `seed ${seed}: ${failures.length} bad answers`).toEqual([]);

    // the fuzz reached the handlers, not only the 401/404 wall: many successes and the handlers' own 4xx
    const seen = JSON.stringify([...statuses].sort(([a], [b]) => a - b));
    const successes = [...statuses].filter(([status]) => status < 300).reduce((sum, [, n]) => sum + n, 0);
    expect(successes, seen).toBeGreaterThanOrEqual(count / 10);
    for (const status of [303, 400, 401, 403, 404, 405, 409]) expect(statuses.has(status), `${status} never seen: ${seen}`).toBe(true);

    // every request reached the recorder, finished, with no internal error behind it
    await sim.recorder.waitQuiet({ quietMs: 0, timeoutMs: 5_000 });
    expect(sim.recorder.size - before).toBe(count);
    const fuzzed = sim.recorder.exchanges((e) => e.seq > firstSeq);
    expect(fuzzed).toHaveLength(count);
    expect(fuzzed.filter((e) => e.attribution.error).map((e) => `${e.method} ${e.url} → ${e.response.status}: ${e.attribution.error}`)).toEqual([]);
    expect(fuzzed.filter((e) => e.response.status >= 500)).toEqual([]);

    // and a partner's whole connect still works
    const after = await connectCompany(sim, config, 'acme');
    const me = await api(sim, 'GET', '/v1/installations/me', { token: after.access_token });
    expect(me.status).toBe(200);
    expect(me.json.data.resource).toBe(`urn:pleo:company:${acme.id}`);
  });

  it('~50 raw malformed HTTP requests over TLS: 4xx or a closed connection, never a hang, and the servers stay up', async () => {
    const head = (requestLine: string, headers: string[] = ['Host: 127.0.0.1']): string => `${requestLine}\r\n${headers.join('\r\n')}\r\n\r\n`;
    const auth = (): string => `Authorization: Bearer ${token}`;
    // [name, bytes, expected first status (undefined: any 4xx, or no answer at all)]
    const templates: [string, () => Buffer | string, number | undefined][] = [
      ['garbage request line', () => 'GARBAGE\r\n\r\n', 400],
      ['empty request line', () => '\r\n\r\n\r\n', undefined],
      ['lower-case method', () => head('get /v1/introspect HTTP/1.1'), 400],
      ['unknown method', () => head('BREW /v1/introspect HTTP/1.1'), 400],
      ['HTTP/9.9', () => head('GET /v1/introspect HTTP/9.9'), undefined],
      ['no HTTP version', () => 'GET /v1/introspect\r\n\r\n', undefined],
      ['two spaces', () => head('GET  /v1/introspect HTTP/1.1'), undefined], // Node's parser tolerates it: 401/404
      ['NUL in the target', () => head('GET /v1/intro\0spect HTTP/1.1'), 400],
      ['non-ASCII bytes in the target', () => Buffer.concat([Buffer.from('GET /v3/export-jobs/'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(` HTTP/1.1\r\nHost: x\r\n\r\n`)]), undefined],
      ['header without a colon', () => head('GET /v1/introspect HTTP/1.1', ['Host: x', 'NoColonHere']), 400],
      ['space before the colon', () => head('GET /v1/introspect HTTP/1.1', ['Host : x']), 400],
      ['obsolete line folding', () => head('GET /v1/introspect HTTP/1.1', ['Host: x', 'X-A: a', ' b']), 400],
      ['bare CR line ends', () => 'GET /v1/introspect HTTP/1.1\rHost: x\r\r', 400],
      ['header over 16 KiB', () => head('GET /v1/introspect HTTP/1.1', ['Host: x', `X-Big: ${'a'.repeat(20_000)}`]), 431],
      ['non-ASCII in a header value', () => Buffer.concat([Buffer.from(`GET /v1/introspect HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer `), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('\r\n\r\n')]), undefined],
      ['Content-Length and Transfer-Encoding', () => head('POST /v3/export-job-events HTTP/1.1', ['Host: x', 'Content-Length: 5', 'Transfer-Encoding: chunked']) + '0\r\n\r\n', 400],
      ['two different Content-Lengths', () => head('POST /v3/export-job-events HTTP/1.1', ['Host: x', 'Content-Length: 1', 'Content-Length: 2']) + 'ab', 400],
      ['negative Content-Length', () => head('POST /v3/export-job-events HTTP/1.1', ['Host: x', 'Content-Length: -1']), 400],
      ['Content-Length not a number', () => head('POST /v3/export-job-events HTTP/1.1', ['Host: x', 'Content-Length: abc']), 400],
      ['bad chunk size', () => head('POST /v3/export-job-events HTTP/1.1', ['Host: x', 'Transfer-Encoding: chunked']) + 'ZZ\r\nabc\r\n0\r\n\r\n', 400],
      ['truncated body, large Content-Length', () => head('POST /v3/export-job-events HTTP/1.1', ['Host: x', auth(), 'Content-Type: application/json', 'Content-Length: 100000']) + '{"jobId":', undefined],
      ['truncated form, large Content-Length', () => head('POST /oauth/token HTTP/1.1', ['Host: x', `Authorization: ${clientBasic}`, `Content-Type: ${FORM}`, 'Content-Length: 900000']) + 'grant_type=authori', undefined],
      ['truncated chunked body', () => head('POST /oauth/token HTTP/1.1', ['Host: x', 'Transfer-Encoding: chunked']) + '100\r\nabc', undefined],
      ['Content-Length over the limit', () => head('POST /v3/export-job-events HTTP/1.1', ['Host: x', 'Content-Length: 99999999999']) + 'abc', 413],
      ['pipelined, then garbage', () => head('GET /v1/introspect HTTP/1.1') + head('GET /nope HTTP/1.1') + 'BLAH\r\n\r\n', undefined],
    ];

    const port = (server: ServerName): number => Number(new URL(base(server)).port);
    const raw = (server: ServerName, bytes: Buffer): Promise<{ response: string; closedBy: 'server' | 'timeout' }> =>
      new Promise((resolve) => {
        let response = '';
        const socket = tls.connect({ host: '127.0.0.1', port: port(server), ca: sim.caPem }, () => {
          socket.write(bytes);
          socket.end(); // our half: the server must answer (or give up) and close, not wait for more
        });
        const timer = setTimeout(() => {
          socket.destroy();
          resolve({ response, closedBy: 'timeout' });
        }, 3_000);
        socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
        socket.on('error', () => undefined); // a reset after the answer is fine; the status line is what counts
        socket.on('close', () => {
          clearTimeout(timer);
          resolve({ response, closedBy: 'server' });
        });
      });

    const jobs = (['api', 'auth'] as const).flatMap((server) => templates.map(([name, bytes, expected]) => ({ server, name, bytes: Buffer.from(bytes() as string, 'latin1'), expected })));
    expect(jobs.length).toBe(50);
    const failures: string[] = [];
    await pool(jobs, 8, async ({ server, name, bytes, expected }) => {
      const { response, closedBy } = await raw(server, bytes);
      const statuses = [...response.matchAll(/^HTTP\/1\.1 (\d{3}) /gm)].map((m) => Number(m[1]));
      const first = statuses[0];
      if (closedBy === 'timeout') failures.push(`${server} ${name}: no close within 3 s (answer: ${JSON.stringify(response.slice(0, 80))})`);
      if (statuses.some((status) => status >= 500)) failures.push(`${server} ${name}: ${statuses.join(',')}`);
      if (expected !== undefined && first !== expected) failures.push(`${server} ${name}: expected ${expected}, got ${first ?? 'no answer'}`);
      if (expected === undefined && first !== undefined && (first < 400 || first >= 500)) failures.push(`${server} ${name}: expected a 4xx or nothing, got ${first}`);
    });
    expect(failures).toEqual([]);

    // the truncated bodies reached the handlers and were recorded as such
    await sim.recorder.waitQuiet({ quietMs: 0, timeoutMs: 2_000 });
    const truncated = sim.recorder.exchanges((e) => e.attribution.error === 'connection closed before the response was complete');
    expect(truncated.length).toBeGreaterThanOrEqual(4);
    for (const exchange of truncated) expect(exchange.response.status).toBe(0);
    expect(sim.recorder.exchanges((e) => (e.attribution.error ?? '').startsWith('simulator fault'))).toEqual([]);

    // both servers still answer, on new connections
    const introspect = await api(sim, 'GET', '/v1/introspect', { token: (await connectCompany(sim, oauthConfig(sim), 'acme')).access_token });
    expect(introspect.status).toBe(200);
    const tokenEndpoint = await send(tokenRequest('grant_type=refresh_token&refresh_token=nope'));
    expect(tokenEndpoint.status).toBe(400);
    expect(tokenEndpoint.json).toEqual(oauthError('invalid_grant'));
  });
});
