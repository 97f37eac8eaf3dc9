// Shared pieces of the benchmark: the authorization-code flow as a partner runs it, a small
// keep-alive load generator, statistics, and child-process plumbing.
import { fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Pool, request } from 'undici';
import { UserAgent } from '../dist/iut/user-agent.js';

export const SCOPE = 'export-jobs:read export-jobs:write export-items:read companies:read';

/** Authorize URL with PKCE S256 and state. */
export function authorizeRequest(sim) {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(16).toString('base64url');
  const url = new URL(`${sim.authUrl}/oauth/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: sim.client.client_id,
    redirect_uri: sim.client.redirect_uris[0],
    scope: SCOPE,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
  }).toString();
  return { url: url.href, verifier, state };
}

/** HTTP Basic client authentication (RFC 6749 §2.3.1: each part form-urlencoded). */
export function basicAuth(clientId, secret) {
  const enc = (text) => encodeURIComponent(text).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(secret)}`).toString('base64')}`;
}

/**
 * One whole connect: authorize URL, consent in a fresh user agent, code exchange.
 * Returns the token response and the split of the time (ms).
 */
export async function codeFlow(sim, company = 'acme') {
  const t0 = performance.now();
  const redirect = sim.client.redirect_uris[0];
  const { url, verifier, state } = authorizeRequest(sim);
  const ua = new UserAgent(sim.dispatcher);
  const result = await ua.connect(url, { company, stopAt: (next) => next.startsWith(redirect) });
  const callback = new URL(result.finalUrl);
  if (!result.finalUrl.startsWith(redirect)) throw new Error(`flow did not reach the redirect URI: ${result.finalUrl}`);
  if (callback.searchParams.get('state') !== state) throw new Error(`state mismatch on ${result.finalUrl}`);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code on ${result.finalUrl}`);
  const t1 = performance.now();
  const response = await request(`${sim.authUrl}/oauth/token`, {
    method: 'POST',
    dispatcher: sim.dispatcher,
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(sim.client.client_id, sim.client.client_secret) },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: verifier }).toString(),
  });
  const tokens = await response.body.json();
  if (response.statusCode !== 200 || !tokens.access_token) throw new Error(`token exchange failed: ${response.statusCode} ${JSON.stringify(tokens)}`);
  const t2 = performance.now();
  return { tokens, total: t2 - t0, consent: t1 - t0, token: t2 - t1, hops: result.hops.length };
}

/**
 * A keep-alive load generator: one undici Pool with `depth` connections and `depth` requests in
 * flight. `window(seconds)` runs the load for that long and returns what was served; the pool
 * (and its warm connections) survives between windows, so windows of two servers can alternate.
 * `next()` gives {path, headers} per request.
 */
export class LoadClient {
  #pool;
  #depth;
  #next;
  #origin;

  constructor({ origin, ca, depth, next }) {
    this.#origin = origin;
    this.#depth = depth;
    this.#next = next;
    this.#pool = new Pool(origin, { connections: depth, pipelining: 1, keepAliveTimeout: 30_000, connect: ca ? { ca } : undefined });
  }

  async window(seconds) {
    let stop = false;
    let count = 0;
    let errors = 0;
    let firstError;
    const latencies = [];
    const worker = async () => {
      while (!stop) {
        const { path, headers } = this.#next();
        const started = performance.now();
        try {
          const response = await this.#pool.request({ path, method: 'GET', headers });
          await response.body.dump({ limit: Infinity });
          if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode} on ${path}`);
          count += 1;
          if (count % 8 === 0) latencies.push(performance.now() - started);
        } catch (error) {
          errors += 1;
          firstError ??= error;
          if (errors > 50) stop = true;
        }
      }
    };
    const started = performance.now();
    const timer = setTimeout(() => (stop = true), seconds * 1000);
    await Promise.all(Array.from({ length: this.#depth }, worker));
    clearTimeout(timer);
    const elapsed = (performance.now() - started) / 1000;
    if (errors) throw new Error(`${errors} failed requests against ${this.#origin}; first: ${firstError?.message}`);
    return { count, elapsed, rps: count / elapsed, latencies };
  }

  close() {
    return this.#pool.close();
  }
}

/** Busy and total jiffies of the whole machine (Linux /proc/stat), or undefined elsewhere. */
export function machineCpu() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function percentile(values, p) {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export const median = (values) => percentile(values, 50);

/**
 * A forked helper process speaking JSON messages: `ready` once, then replies to `send`.
 * Killed (by its own pid) if it does not answer in time.
 */
export function startChild(script, args = [], { execArgv = [], timeoutMs = 30_000 } = {}) {
  const child = fork(new URL(script, import.meta.url), args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let pending;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const receive = () =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${script} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (message) => {
        clearTimeout(timer);
        child.off('exit', onExit);
        if (message?.error) reject(new Error(`${script}: ${message.error}`));
        else resolve(message);
      };
      const onExit = (code, signal) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        reject(new Error(`${script} exited (${code ?? signal}) before answering`));
      };
      child.once('message', onMessage);
      child.once('exit', onExit);
    });
  pending = receive();
  return {
    child,
    ready: pending,
    async send(message) {
      const reply = receive();
      child.send(message);
      return reply;
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send({ cmd: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** In a child: answers messages with `handlers[cmd]`, reports failures instead of crashing silently. */
export function serveParent(handlers) {
  process.on('message', async (message) => {
    try {
      const reply = await handlers[message.cmd](message);
      if (message.cmd !== 'close') process.send({ ok: true, ...reply });
    } catch (error) {
      process.send({ error: error?.stack ?? String(error) });
    }
  });
  process.on('disconnect', () => handlers.close?.({}));
}
