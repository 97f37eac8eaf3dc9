// How each step kind acts on the world: one executor per kind, in one table.
import { createHash, randomBytes } from 'node:crypto';
import { HarnessFault, type IutHandle } from '../iut/driver.js';
import { UserAgent } from '../iut/user-agent.js';
import { ALL_COMPANIES, type Step, type StepKind, type Target } from '../model.js';
import type { Simulator } from '../simulator/index.js';
import type { Company } from '../simulator/world.js';

export interface StepContext {
  readonly sim: Simulator;
  /** The integration as it is now (a restart replaces it). */
  readonly iut: IutHandle;
  /** Restarts the integration, its API URL pointing at the trusted or the untrusted endpoint. */
  restartIut(api: 'trusted' | 'untrusted'): Promise<void>;
  readonly target: Target;
  readonly companies: ReadonlyMap<string, Company>;
  /** One browser (cookie jar) per company admin. */
  browser(alias: string): UserAgent;
  /** What each `status` step read, per company, in order. */
  readonly statuses: Map<string, unknown[]>;
  readonly marks: Map<string, number>;
  /** Callback URLs the browser delivered, per company (for replays). */
  readonly callbacks: Map<string, string>;
  readonly faultIds: number[];
  /**
   * The longest pause a well-behaved integration may take between two requests in this check
   * (waiting out a Retry-After, backing off after a 5xx): an async (202) sync is only over once
   * the traffic has been quiet for longer than that.
   */
  pauseMs: number;
}

/** How long an async sync must be quiet without faults, and the pauses faults allow. */
const ASYNC_QUIET_MS = 400;
/** Room for a doubling backoff after a 5xx burst: 1 s, 2 s, then 4 s between attempts. */
const BACKOFF_PAUSE_MS = 4_500;
const RETRY_AFTER_MARGIN_MS = 500;

type Executor<K extends StepKind> = (step: Extract<Step, { kind: K }>, context: StepContext) => Promise<void>;

/**
 * A hook the harness calls to make something happen (a cycle, a disconnect, a key handed over)
 * must accept the call: a refusal or an error leaves nothing to judge.
 */
function assertAccepted(response: { status: number; body: string }, hook: 'sync' | 'disconnect' | 'provision', context: StepContext): void {
  if (response.status < 400) return;
  const hint = response.status === 404 || response.status === 405 ? ` (is hooks.${hook} "${context.target.hooks[hook]}" right?)` : '';
  // redact before cutting: a secret cut in half would no longer be recognised
  throw new HarnessFault(`${hook} answered ${response.status}${hint}: ${context.sim.secrets.redact(response.body).slice(0, 200)}`);
}

function company(context: StepContext, alias: string): Company {
  const found = context.companies.get(alias);
  if (!found) throw new HarnessFault(`unknown company "${alias}" in a step`);
  return found;
}

/** Follows the integration's connect hook through consent; returns the callback URL and the IUT's answer. */
async function runConnect(context: StepContext, alias: string, decision: 'approve' | 'deny'): Promise<void> {
  const { iut, sim } = context;
  const target = company(context, alias);
  const start = new URL(context.target.hooks.connect, iut.baseUrl).href;
  const callbackPath = new URL(context.target.hooks.callback, iut.baseUrl).pathname;
  let callbackUrl: string | undefined;
  const ua = context.browser(alias);
  let result;
  try {
    result = await ua.connect(start, {
      company: target.id,
      decision,
      timeoutMs: context.target.timeouts.hookMs,
      onRedirect: (url) => {
        if (new URL(url).pathname === callbackPath) callbackUrl = url;
      },
    });
  } catch (error) {
    // the callback itself failing is the integration's answer (recorded with status 0): a finding, not a harness fault
    if (callbackUrl) {
      context.callbacks.set(alias, callbackUrl);
      return;
    }
    const exit = iut.exitReason();
    throw new HarnessFault(exit ? `${exit} while connecting ${alias}` : `connecting ${alias} failed: ${(error as Error).message}`);
  }
  if (callbackUrl) context.callbacks.set(alias, callbackUrl);
  void sim;
  void result;
}

const EXECUTORS: { [K in StepKind]: Executor<K> } = {
  connect: (step, context) => runConnect(context, step.company, step.decision),
  onboard: (step, context) =>
    context.target.auth.mode === 'oauth2' ? runConnect(context, step.company, 'approve') : EXECUTORS['provision-key']({ kind: 'provision-key', company: step.company }, context),
  async sync(step, context) {
    const query = step.company ? { company_id: company(context, step.company).id } : undefined;
    const calls = Array.from({ length: step.concurrent }, () => context.iut.call('sync', { query, timeoutMs: context.target.timeouts.syncMs }));
    const responses = await Promise.all(calls);
    for (const response of responses) assertAccepted(response, 'sync', context);
    // 202: the integration works in the background; in any case let in-flight traffic settle
    const async = responses.some((response) => response.status === 202);
    const quiet = await context.sim.recorder.waitQuiet({ quietMs: async ? Math.max(ASYNC_QUIET_MS, context.pauseMs) : 150, timeoutMs: 30_000, activityWithinMs: async ? 1_000 : undefined });
    if (!quiet) throw new HarnessFault('traffic did not settle within 30 s after sync');
  },
  async 'revoke-consent'(step, context) {
    context.sim.revokeConsent(company(context, step.company).id);
  },
  async 'expire-tokens'(step, context) {
    context.sim.expireTokens(company(context, step.company).id);
  },
  async 'token-lifetime'(step, context) {
    context.sim.setTokenLifetime(step.seconds, step.company ? company(context, step.company).id : undefined);
  },
  async fault(step, context) {
    const scope = { company: step.company ? company(context, step.company).id : undefined, endpoint: step.endpoint };
    // the pause a well-behaved integration may then take: a latency fault only slows requests down,
    // and in-flight requests already keep the traffic from counting as quiet
    let pause = 0;
    let id: number;
    if (step.fault === 'rate-limit') {
      const retryAfter = step.retryAfter ?? 2;
      id = context.sim.faults.add({ kind: 'rate-limit', ...scope, retryAfter, times: step.times });
      pause = retryAfter * 1000 + RETRY_AFTER_MARGIN_MS;
    } else if (step.fault === 'server-error') {
      id = context.sim.faults.add({ kind: 'server-error', ...scope, status: step.status, count: step.count ?? 3 });
      pause = BACKOFF_PAUSE_MS;
    } else id = context.sim.faults.add({ kind: 'latency', ...scope, ms: step.ms ?? 500, count: step.count });
    context.faultIds.push(id);
    context.pauseMs = Math.max(context.pauseMs, pause);
  },
  async 'clear-faults'(_step, context) {
    for (const id of context.faultIds.splice(0)) context.sim.faults.clear(id);
  },
  async disconnect(step, context) {
    assertAccepted(await context.iut.call('disconnect', { query: { company_id: company(context, step.company).id } }), 'disconnect', context);
    await context.sim.recorder.waitQuiet({ quietMs: 150, timeoutMs: 10_000 });
  },
  async status(step, context) {
    const response = await context.iut.call('status', { query: { company_id: company(context, step.company).id } });
    let connected: unknown;
    try {
      connected = (JSON.parse(response.body) as { connected?: unknown }).connected;
    } catch {
      /* not JSON: below */
    }
    // an answer the harness cannot read says nothing about the company: not judged, not failed (a
    // 404 {"connected": false} for a company it no longer knows is an answer)
    if (response.status >= 500 || typeof connected !== 'boolean') {
      throw new HarnessFault(`the status hook answered ${response.status} ${JSON.stringify(context.sim.secrets.redact(response.body).slice(0, 120))}, not {"connected": true|false}`);
    }
    context.statuses.set(step.company, [...(context.statuses.get(step.company) ?? []), connected]);
  },
  async 'send-webhook'(step, context) {
    const url = new URL(context.target.hooks.webhook, context.iut.baseUrl).href;
    const delivery = await context.sim.webhooks.send(url, { company: company(context, step.company).id, kind: step.delivery });
    if (delivery.error) throw new HarnessFault(delivery.error);
    // a valid delivery may start work in the background: give it a moment to begin, then wait for quiet
    await context.sim.recorder.waitQuiet({ quietMs: 300, timeoutMs: 15_000, activityWithinMs: step.delivery === 'valid' ? 1_000 : 300 });
  },
  async 'provision-key'(step, context) {
    const target = company(context, step.company);
    const key = context.sim.mintApiKey('integrated', target.id);
    assertAccepted(await context.iut.call('provision', { json: { company_id: target.id, api_key: key.value } }), 'provision', context);
    await context.sim.recorder.waitQuiet({ quietMs: 150, timeoutMs: 10_000 });
  },
  async 'callback-tamper'(step, context) {
    const target = company(context, step.company);
    const ua = context.browser(step.company);
    const callbackPath = context.target.hooks.callback;
    const callbackBase = new URL(callbackPath, context.iut.baseUrl);
    // a callback that gets no answer is recorded (status 0) and judged by the expectations
    const deliver = async (url: string): Promise<void> => {
      try {
        await ua.fetch(url);
      } catch {
        /* recorded */
      }
      await context.sim.recorder.waitQuiet({ quietMs: 150, timeoutMs: 10_000 });
    };
    if (step.tamper === 'bare') {
      await deliver(callbackBase.href);
      return;
    }
    if (step.tamper === 'replayed-code') {
      const earlier = context.callbacks.get(step.company);
      if (!earlier) throw new HarnessFault(`replayed-code needs an earlier connect of ${step.company}`);
      await deliver(earlier);
      return;
    }
    // start a real flow at the integration, stop at the authorization request to learn its state
    let authorizeUrl: string | undefined;
    await ua.connect(new URL(context.target.hooks.connect, context.iut.baseUrl).href, {
      company: target.id,
      stopAt: (url) => {
        const isAuthorize = url.startsWith(`${context.sim.authUrl}/oauth/authorize?`);
        if (isAuthorize) authorizeUrl = url;
        return isAuthorize;
      },
    });
    if (!authorizeUrl) throw new HarnessFault('connect did not redirect to /oauth/authorize, so its callback cannot be tampered with');
    const state = new URL(authorizeUrl).searchParams.get('state') ?? '';
    const redirect = new URL(authorizeUrl).searchParams.get('redirect_uri') ?? callbackBase.href;
    const callback = new URL(redirect);
    if (step.tamper === 'error') {
      callback.searchParams.set('error', 'access_denied');
      callback.searchParams.set('error_description', 'The customer denied the request.');
      if (state) callback.searchParams.set('state', state);
    } else {
      // a real code from the simulator (from a flow the harness makes itself, so that it exists even
      // when the integration's own request is refused), delivered with a forged or missing state
      const own = new URL(`${context.sim.authUrl}/oauth/authorize`);
      const verifier = randomBytes(32).toString('base64url');
      own.search = new URLSearchParams({
        response_type: 'code',
        client_id: context.sim.client.client_id,
        redirect_uri: redirect,
        scope: context.sim.client.scope,
        state: randomBytes(16).toString('base64url'),
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      const consent = await new UserAgent(context.sim.dispatcher).connect(own.href, { company: target.id, stopAt: (url) => url.startsWith(redirect.split('?')[0]!) });
      const code = new URL(consent.finalUrl).searchParams.get('code');
      if (!code) throw new HarnessFault(`the simulator issued no code for the tampered flow (${consent.finalUrl})`);
      callback.searchParams.set('code', code);
      if (step.tamper === 'forged-state') callback.searchParams.set('state', randomBytes(16).toString('base64url'));
    }
    await deliver(callback.href);
  },
  async 'new-job'(step, context) {
    context.sim.world.createExportJob(company(context, step.company).id, step.items);
  },
  async mark(step, context) {
    context.marks.set(step.name, context.sim.recorder.mark(`${step.name}`).seq);
  },
  async 'restart-iut'(step, context) {
    await context.restartIut(step.api);
  },
  async 'wait-quiet'(step, context) {
    const quiet = await context.sim.recorder.waitQuiet({ quietMs: step.ms, timeoutMs: step.timeoutMs });
    if (!quiet) throw new HarnessFault(`traffic did not go quiet for ${step.ms} ms within ${step.timeoutMs} ms`);
  },
};

/** Runs one step (for `company: all`, once per company). Harness and integration failures throw HarnessFault. */
export async function runStep(step: Step, context: StepContext): Promise<void> {
  const executor = EXECUTORS[step.kind] as Executor<typeof step.kind>;
  if ('company' in step && step.company === ALL_COMPANIES) {
    for (const alias of context.companies.keys()) await executor({ ...step, company: alias } as never, context);
    return;
  }
  await executor(step as never, context);
}

/** What a step looks like in a message: `connect acme`. */
export function describeStep(step: Step): string {
  const { kind, ...rest } = step;
  const values = Object.values(rest).filter((value) => value !== undefined);
  return [kind, ...values.map((value) => String(value))].join(' ');
}
