// A real browser on the consent page of `eap-conformance simulate`: headless Chromium (Debian's
// package) drives authorize → consent → callback against the simulator started through the CLI
// command, then the code is exchanged and used as a partner integration would.
//
// Twice: with `--http`, where the browser needs no trust decision at all, and over HTTPS (the
// default a partner gets), where Chromium is told to accept exactly the simulator's certificate
// (`--ignore-certificate-errors-spki-list` with its key's SHA-256; no `ignoreHTTPSErrors`), so the
// secure cookies of the consent flow go through a real TLS connection.
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { simulate } from '../../src/cli/commands/simulate.js';
import type { ExitCode } from '../../src/cli/exit-codes.js';
import type { Simulator } from '../../src/simulator/index.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../.vitest-artifacts/', import.meta.url));

/** The integration's redirect URI: a tiny loopback server that records every callback. */
interface CallbackServer {
  readonly url: string;
  readonly hits: URL[];
  close(): Promise<void>;
}

async function startCallbackServer(): Promise<CallbackServer> {
  const hits: URL[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/oauth/callback') hits.push(url);
    res.writeHead(url.pathname === '/oauth/callback' ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>integration callback</title><p>callback received</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/oauth/callback`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `eap-conformance simulate` in-process, with a CliContext whose output is kept and whose Ctrl-C is ours. */
interface RunningCli {
  readonly sim: Simulator;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Sends "Ctrl-C" and waits for the command to return. */
  stop(): Promise<ExitCode>;
}

async function startSimulateCommand(args: string[]): Promise<RunningCli> {
  let out = '';
  let err = '';
  let interrupt!: (signal: string) => void;
  const interrupted = new Promise<string>((resolve) => (interrupt = resolve));
  const context: CliContext = {
    env: {},
    cwd: process.cwd(),
    isTty: false,
    stderrIsTty: false,
    color: false,
    stdout: (text) => void (out += text),
    stderr: (text) => void (err += text),
    interrupted,
  };
  let ready!: (sim: Simulator) => void;
  const readyPromise = new Promise<Simulator>((resolve) => (ready = resolve));
  const exit = simulate(args, context, ready);
  const sim = await Promise.race([
    readyPromise,
    exit.then((code) => {
      throw new Error(`simulate returned ${code} before it was ready:\n${out}\n${err}`);
    }),
  ]);
  return {
    sim,
    stdout: () => out,
    stderr: () => err,
    stop: async () => {
      interrupt('SIGINT');
      return exit;
    },
  };
}

/** Base64 SHA-256 of the public key the simulator's authorization server presents (for Chromium's SPKI list). */
async function spkiHash(sim: Simulator): Promise<string> {
  const { hostname, port } = new URL(sim.authUrl);
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const socket = tls.connect({ host: hostname, port: Number(port), ca: sim.caPem, servername: undefined }, () => {
      const peer = socket.getPeerCertificate();
      socket.end();
      resolve(peer.raw);
    });
    socket.once('error', reject);
  });
  return createHash('sha256').update(new X509Certificate(raw).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(sim: Simulator, redirectUri: string, state: string, challenge: string): string {
  const url = new URL('/oauth/authorize', sim.authUrl);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: sim.client.client_id,
    redirect_uri: redirectUri,
    scope: 'export-jobs:read',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  return url.href;
}

function isLoopback(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url);
    return (protocol === 'http:' || protocol === 'https:') && (hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]');
  } catch {
    return url.startsWith('data:') || url.startsWith('about:');
  }
}

describe.each(['http', 'https'] as const)('consent page of `eap-conformance simulate` in headless Chromium (%s)', (scheme) => {
  let callback: CallbackServer;
  let cli: RunningCli;
  let sim: Simulator;
  let userDataDir: string;
  let browser: BrowserContext;
  /** Every request the browser tried to make outside loopback (aborted). */
  const outside: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} not found: the browser tests need Debian's Chromium (apt-get install -y --no-install-recommends chromium; .ci/run installs it)`);
    }
    callback = await startCallbackServer();
    cli = await startSimulateCommand([...(scheme === 'http' ? ['--http'] : []), '--redirect-uri', callback.url]);
    sim = cli.sim;
    const trust = scheme === 'https' ? [`--ignore-certificate-errors-spki-list=${await spkiHash(sim)}`] : [];
    userDataDir = await mkdtemp(join(tmpdir(), 'eap-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-proxy-server',
        ...trust,
      ],
      viewport: { width: 800, height: 720 },
    });
    // loopback only: anything else the page (or Chromium on its behalf) asks for is refused and noted
    await browser.route('**/*', (route) => {
      const url = route.request().url();
      if (isLoopback(url)) return route.continue();
      outside.push(url);
      return route.abort('blockedbyclient');
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    if (cli) {
      const code = await cli.stop();
      expect(code).toBe(0);
      expect(cli.stderr()).toMatch(/SIGINT: stopping the simulator \(\d+ exchanges recorded\)/);
    }
    await callback?.close();
  });

  it('prints the URLs, the client and the companies', () => {
    const out = cli.stdout();
    expect(sim.authUrl).toMatch(new RegExp(`^${scheme}://127\\.0\\.0\\.1:\\d+$`));
    expect(sim.apiUrl).toMatch(new RegExp(`^${scheme}://127\\.0\\.0\\.1:\\d+$`));
    expect(out).toContain('Pleo staging simulator is running');
    expect(out).toMatch(new RegExp(`authorization server\\s+${sim.authUrl.replace(/\./g, '\\.')}\\s`));
    expect(out).toMatch(new RegExp(`API\\s+${sim.apiUrl.replace(/\./g, '\\.')}\\s`));
    expect(out).toMatch(new RegExp(`client_id\\s+${sim.client.client_id}\\n`));
    expect(out).toMatch(new RegExp(`client_secret\\s+\\S+\\n`));
    expect(out).toContain(`redirect_uris  ${callback.url}\n`);
    expect(out).toContain('client_secret_basic; PKCE S256 required');
    // the three default companies, each with the id the API knows it by
    const printed = [...out.matchAll(/^ {2}(acme|globex|initech)\s+([0-9a-f-]{36})\s+(.+)$/gm)].map((m) => [m[1], m[2]]);
    expect(printed).toEqual(['acme', 'globex', 'initech'].map((alias) => [alias, sim.world.requireCompany(alias).id]));
    expect(out).toContain(`export PLEO_AUTH_URL=${sim.authUrl}\n`);
    expect(out).toContain(`export PLEO_API_URL=${sim.apiUrl}\n`);
    expect(out).toContain(`export PLEO_CLIENT_ID=${sim.client.client_id}\n`);
    expect(out).toContain(`export PLEO_REDIRECT_URI=${callback.url}\n`);
    expect(out).toMatch(/export PLEO_WEBHOOK_SECRET='?whsec_/);
    if (scheme === 'http') {
      expect(out).not.toContain('NODE_EXTRA_CA_CERTS'); // plain HTTP: no run CA
      expect(out).toContain('Plain HTTP (--http)');
    } else {
      expect(out).toContain(`export NODE_EXTRA_CA_CERTS=${sim.caFile}\n`);
      expect(out).toContain(`Your browser does not know that CA: import ${sim.caFile} as a trusted authority`);
    }
    expect(cli.stderr()).toBe('');
  });

  it('approve: the admin picks globex, the integration gets a code that works for globex', async () => {
    const { verifier, challenge } = pkce();
    const state = randomBytes(12).toString('base64url');
    const globex = sim.world.requireCompany('globex');
    const before = callback.hits.length;
    const page: Page = await browser.newPage();
    try {
      const response = await page.goto(authorizeUrl(sim, callback.url, state, challenge));
      expect(response?.status()).toBe(200);
      expect(new URL(page.url()).pathname).toMatch(/^\/oauth\/interaction\/[\w-]+$/);
      await expect(page.title()).resolves.toBe(`Connect ${sim.client.client_name} to Pleo`);
      await expect(page.locator('h1').innerText()).resolves.toBe(`${sim.client.client_name} wants to access your Pleo company`);
      await expect(page.locator('ul.scopes').innerText()).resolves.toBe('export-jobs:read');

      const radios = page.getByRole('radio');
      await expect(radios.count()).resolves.toBe(3);
      for (const alias of ['acme', 'globex', 'initech']) {
        const company = sim.world.requireCompany(alias);
        const radio = page.getByRole('radio', { name: `${company.name} (${alias})` });
        await expect(radio.getAttribute('value')).resolves.toBe(company.id);
        await expect(radio.isVisible()).resolves.toBe(true);
      }
      // the first company is preselected; nothing else
      await expect(page.getByRole('radio', { checked: true }).getAttribute('data-alias')).resolves.toBe('acme');
      await expect(page.getByRole('button', { name: 'Approve' }).isVisible()).resolves.toBe(true);
      await expect(page.getByRole('button', { name: 'Deny' }).isVisible()).resolves.toBe(true);

      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `consent-page-${scheme}.png`), fullPage: true });

      await page.getByRole('radio', { name: `${globex.name} (globex)` }).check();
      await expect(page.getByRole('radio', { checked: true }).getAttribute('data-alias')).resolves.toBe('globex');
      await Promise.all([page.waitForURL((url) => url.href.startsWith(callback.url), { timeout: 10_000 }), page.getByRole('button', { name: 'Approve' }).click()]);
      await expect(page.locator('body').innerText()).resolves.toContain('callback received');
    } finally {
      await page.close();
    }

    expect(callback.hits.length).toBe(before + 1);
    const hit = callback.hits.at(-1)!;
    expect(hit.searchParams.get('state')).toBe(state);
    expect(hit.searchParams.get('code')).toMatch(/^[\w-]{20,}$/);
    expect(hit.searchParams.has('iss')).toBe(false); // Pleo documents no RFC 9207 iss
    expect(hit.searchParams.has('error')).toBe(false);

    // the integration's back channel: code + verifier, client_secret_basic
    const basic = Buffer.from(`${encodeURIComponent(sim.client.client_id)}:${encodeURIComponent(sim.client.client_secret)}`).toString('base64');
    const tokenResponse = await fetch(`${sim.authUrl}/oauth/token`, {
      dispatcher: sim.dispatcher,
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: hit.searchParams.get('code')!, redirect_uri: callback.url, code_verifier: verifier }).toString(),
    });
    const tokenText = await tokenResponse.text();
    expect(tokenResponse.status, tokenText).toBe(200);
    const tokens = JSON.parse(tokenText) as Record<string, unknown>;
    expect(tokens).toMatchObject({ token_type: expect.stringMatching(/^bearer$/i), scope: 'export-jobs:read', expires_in: expect.any(Number) });
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(tokens.refresh_token).toEqual(expect.any(String));

    const me = await fetch(`${sim.apiUrl}/v1/installations/me`, { dispatcher: sim.dispatcher, headers: { authorization: `Bearer ${tokens.access_token as string}` } });
    const meText = await me.text();
    expect(me.status, meText).toBe(200);
    expect(JSON.parse(meText)).toMatchObject({ data: { resource: `urn:pleo:company:${globex.id}`, applicationId: sim.client.client_id, status: 'ACTIVATED' } });

    // the recorder saw the browser's side of it: the consent POST attributed to globex
    const consentPost = sim.recorder.exchanges((e) => e.method === 'POST' && e.attribution.endpoint === 'POST /oauth/interaction/{uid}').at(-1);
    expect(consentPost?.attribution.company).toBe(globex.id);
    expect(outside).toEqual([]);
  });

  it('deny: the integration gets access_denied with its state, and no code', async () => {
    const { challenge } = pkce();
    const state = randomBytes(12).toString('base64url');
    const before = callback.hits.length;
    const page = await browser.newPage();
    try {
      await page.goto(authorizeUrl(sim, callback.url, state, challenge));
      await expect(page.getByRole('radio').count()).resolves.toBe(3);
      await Promise.all([page.waitForURL((url) => url.href.startsWith(callback.url), { timeout: 10_000 }), page.getByRole('button', { name: 'Deny' }).click()]);
    } finally {
      await page.close();
    }
    expect(callback.hits.length).toBe(before + 1);
    const hit = callback.hits.at(-1)!;
    expect(hit.searchParams.get('error')).toBe('access_denied');
    expect(hit.searchParams.get('state')).toBe(state);
    expect(hit.searchParams.has('code')).toBe(false);
    expect(hit.searchParams.has('iss')).toBe(false);
    expect(outside).toEqual([]);
  });
});
