// The runner: start the simulator and the integration, then for each check create fresh companies,
// run its steps, and judge its expectations over the traffic recorded while it ran.
import { judgeRequests } from '../checks/filter.js';
import { RULES } from '../checks/registry.js';
import type { CheckContext, Finding, Outcome } from '../checks/types.js';
import { freePort, HarnessFault, startIut, type IutHandle } from '../iut/driver.js';
import { UserAgent } from '../iut/user-agent.js';
import type { Check, Severity, Target } from '../model.js';
import { DEFAULTS, PLEO_SCOPES } from '../simulator/defaults.js';
import { startSimulator, type Simulator } from '../simulator/index.js';
import type { SerializedExchange } from '../simulator/recorder.js';
import type { SecretRegistry } from '../simulator/secrets.js';
import type { Company } from '../simulator/world.js';
import { describeStep, runStep, type StepContext } from './steps.js';

export interface ExpectationResult extends Finding {
  readonly source: string;
}

export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly suite: string;
  readonly requirement: Check['requirement'];
  readonly severity: Severity;
  readonly doc: string;
  readonly outcome: Outcome;
  /** One line for the table. */
  readonly message: string;
  readonly expectations: readonly ExpectationResult[];
  readonly durationMs: number;
  readonly waiver?: { owner: string; reason: string; expires: string; expired: boolean };
}

export type Verdict = 'READY' | 'READY WITH EXCEPTIONS' | 'NOT READY' | 'INCOMPLETE';

export interface RunResult {
  readonly verdict: Verdict;
  readonly verdictReason: string;
  readonly results: readonly CheckResult[];
  readonly notRun: readonly { id: string; severity: Severity; reason: string }[];
  readonly startedAt: string;
  readonly durationMs: number;
  /** The integration's exit reason if it died during the run. */
  readonly iutExit?: string;
  /** The exchanges the findings rest on, redacted, by seq. */
  readonly evidence: readonly SerializedExchange[];
  /** The run's secrets: every writer redacts with them. */
  readonly secrets: SecretRegistry;
  /** The seed of the simulator's data, when the run had one. */
  readonly seed?: string;
}

export interface RunOptions {
  readonly target: Target;
  readonly checks: readonly Check[];
  /** Checks of the loaded suites left out by --only/--suite (they count for the verdict). */
  readonly notSelected: readonly Check[];
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  readonly today?: string;
  readonly onCheck?: (event: { phase: 'start' | 'end'; check: Check; result?: CheckResult; index: number; total: number }) => void;
  /** Gets the simulator and integration once started (for tests and reports). */
  readonly onStarted?: (world: { sim: Simulator; iut: IutHandle }) => void;
  /** Companies of fleet checks (TEN-04); default: each check's own `fleet`. */
  readonly companies?: number;
  /** Seed of the simulator's data (companies, jobs, items, canaries), for a repeatable run. */
  readonly seed?: string;
}

/** The integration process, restartable: after a crash, and with its API URL on the untrusted endpoint. */
class IutManager {
  current!: IutHandle;
  readonly #previous: { stdout: string; stderr: string }[] = [];
  api: 'trusted' | 'untrusted' = 'trusted';
  constructor(
    private readonly sim: Simulator,
    private readonly options: RunOptions,
    private readonly port: number,
  ) {}

  async start(api: 'trusted' | 'untrusted' = 'trusted'): Promise<void> {
    const env = this.sim.env();
    if (api === 'untrusted') env.PLEO_API_URL = this.sim.untrustedUrl ?? env.PLEO_API_URL!;
    this.current = await startIut({ target: this.options.target, port: this.port, pleoEnv: env, baseEnv: this.options.baseEnv, recorder: this.sim.recorder, dispatcher: this.sim.dispatcher });
    this.api = api;
  }

  async restart(api: 'trusted' | 'untrusted'): Promise<void> {
    if (this.options.target.launch.kind === 'attach') throw new HarnessFault('an attached integration cannot be restarted by the harness');
    await this.current.close();
    this.#previous.push({ ...this.current.output });
    await this.start(api);
  }

  /** Everything every process of the integration printed in this run. */
  output(): { stdout: string; stderr: string } {
    const all = [...this.#previous, this.current.output];
    return { stdout: all.map((one) => one.stdout).join(''), stderr: all.map((one) => one.stderr).join('') };
  }

  /** Before a check: a dead integration (or one pointed at the untrusted endpoint) is started afresh. */
  async ready(): Promise<string | undefined> {
    const exit = this.current.exitReason();
    if (!exit && this.api === 'trusted') return undefined;
    if (this.options.target.launch.kind === 'attach') return exit;
    await this.restart('trusted');
    return exit;
  }
}

/** Runs the checks end to end. Throws HarnessFault when the world cannot be set up at all. */
export async function runChecks(options: RunOptions): Promise<RunResult> {
  const startedAt = Date.now();
  const { target } = options;
  const port = target.launch.kind === 'start' ? await freePort() : Number(new URL(target.launch.url).port || 80);
  const sim = await startSimulator({
    seed: options.seed,
    client: {
      client_name: target.clientName,
      redirect_uris: target.redirectUris.map((uri) => uri.replace(/\$\{PORT\}/g, String(port))),
      scope: (target.scopes.length ? target.scopes : PLEO_SCOPES).join(' '),
    },
  });
  const iut = new IutManager(sim, options, port);
  const results: CheckResult[] = [];
  const crashes: string[] = [];
  const reported = new Set<IutHandle>();
  let started = false;
  try {
    await iut.start();
    started = true;
    options.onStarted?.({ sim, iut: iut.current });
    for (const [index, check] of options.checks.entries()) {
      options.onCheck?.({ phase: 'start', check, index, total: options.checks.length });
      let result = await runOne(check, { sim, iut, target, today: options.today ?? new Date().toISOString().slice(0, 10), fleet: options.companies });
      const exit = iut.current.exitReason();
      // a process is reported once, in the check it died in (checks skipped after it do not restart it)
      if (exit && !reported.has(iut.current)) {
        reported.add(iut.current);
        crashes.push(`${exit} during ${check.id}`);
        // it died after the last step: what looked fine was not seen to the end
        if (result.outcome === 'pass' || result.outcome === 'warn') result = { ...result, outcome: 'error', message: `not judged: the integration exited during the check (${exit})` };
      }
      results.push(result);
      options.onCheck?.({ phase: 'end', check, result, index, total: options.checks.length });
    }
  } catch (error) {
    // what goes up carries the integration's last output: it may hold the client secret, say
    if (error instanceof HarnessFault) throw new HarnessFault(sim.secrets.redact(error.message));
    throw error;
  } finally {
    if (started) await iut.current.close();
    await sim.close();
  }
  const notRun = options.notSelected
    .filter((check) => check.modes.includes(target.auth.mode))
    .map((check) => ({ id: check.id, severity: check.severity, reason: 'not selected (--only/--suite)' }));
  const { verdict, reason } = decideVerdict(results, notRun, target);
  const cited = new Set(results.flatMap((result) => result.expectations.flatMap((expectation) => expectation.evidence)));
  return {
    verdict,
    verdictReason: reason,
    results,
    notRun,
    startedAt: new Date(startedAt).toISOString(),
    durationMs: Date.now() - startedAt,
    iutExit: crashes.length ? crashes.join('; ') : undefined,
    evidence: sim.recorder.serialize((exchange) => cited.has(exchange.seq)),
    secrets: sim.secrets,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  };
}

async function runOne(check: Check, world: { sim: Simulator; iut: IutManager; target: Target; today: string; fleet?: number }): Promise<CheckResult> {
  const { sim, iut, target } = world;
  const started = Date.now();
  const base = { id: check.id, title: check.title, suite: check.suite, requirement: check.requirement, severity: check.severity, doc: check.doc };
  if (!check.modes.includes(target.auth.mode)) {
    return { ...base, outcome: 'skip', message: `not applicable in ${target.auth.mode} mode`, expectations: [], durationMs: 0 };
  }
  const missingHooks = check.requiresHooks.filter((hook) => !target.declaredHooks.has(hook));
  if (missingHooks.length) {
    return { ...base, outcome: 'skip', message: `not applicable: the target declares no ${missingHooks.join(', ')} hook`, expectations: [], durationMs: 0 };
  }
  if (check.steps.some((step) => step.kind === 'restart-iut') && target.launch.kind === 'attach') {
    // the check applies, the harness just cannot perform it: not judged, so a blocker keeps the run from READY
    return { ...base, outcome: 'error', message: 'not judged: the check restarts the integration, which the harness cannot do with an attached one (give the target a start command)', expectations: [], durationMs: 0 };
  }
  try {
    const exit = await iut.ready();
    if (exit) sim.recorder.mark(`restarted before ${check.id}: ${exit}`);
  } catch (error) {
    return { ...base, outcome: 'error', message: `the integration could not be restarted: ${(error as Error).message}`, expectations: [], durationMs: Date.now() - started };
  }
  const companies = new Map<string, Company>();
  const aliases = check.fleet !== undefined ? Array.from({ length: world.fleet ?? check.fleet }, (_, i) => `c${String(i + 1).padStart(2, '0')}`) : check.companies;
  for (const alias of aliases) companies.set(alias, sim.createCompany({ alias: `${alias}.${check.id.toLowerCase()}` }));
  const browsers = new Map<string, UserAgent>();
  const stepContext: StepContext = {
    sim,
    get iut() {
      return iut.current;
    },
    restartIut: (api) => iut.restart(api),
    target,
    companies,
    browser: (alias) => {
      let ua = browsers.get(alias);
      if (!ua) browsers.set(alias, (ua = new UserAgent(sim.dispatcher, { recorder: sim.recorder, origins: [new URL(iut.current.baseUrl).origin] })));
      return ua;
    },
    statuses: new Map(),
    marks: new Map(),
    callbacks: new Map(),
    faultIds: [],
    pauseMs: 0,
  };
  await sim.recorder.waitQuiet({ quietMs: 50, timeoutMs: 5_000 });
  const startSeq = sim.recorder.mark(`start ${check.id}`).seq;
  let failure: string | undefined;
  // a step may take its hook's whole time and then wait up to 30 s for the traffic to settle
  const stepTimeoutMs = Math.max(60_000, Math.max(target.timeouts.syncMs, target.timeouts.hookMs) + 35_000);
  for (const step of check.steps) {
    try {
      await withTimeout(runStep(step, stepContext), stepTimeoutMs, `step "${describeStep(step)}" timed out after ${stepTimeoutMs / 1000} s`);
    } catch (error) {
      failure = `step "${describeStep(step)}": ${error instanceof HarnessFault ? error.message : `harness error: ${(error as Error).message}`}`;
      break;
    }
  }
  const settled = await sim.recorder.waitQuiet({ quietMs: 100, timeoutMs: 5_000 });
  const endSeq = sim.recorder.mark(`end ${check.id}`).seq;

  // leave nothing behind for the next check: faults off, lifetimes back, consent withdrawn
  for (const id of stepContext.faultIds) sim.faults.clear(id);
  sim.setTokenLifetime(DEFAULTS.accessTokenLifetime);
  for (const company of companies.values()) {
    sim.revokeConsent(company.id);
  }

  const context: CheckContext = {
    check,
    target,
    sim,
    exchanges: sim.recorder.exchanges((exchange) => exchange.seq >= startSeq && exchange.seq < endSeq),
    companies,
    marks: stepContext.marks,
    statuses: stepContext.statuses,
    output: target.launch.kind === 'start' ? iut.output() : undefined,
  };
  const expectations: ExpectationResult[] = check.expect.map((expectation) => {
    const source = `${expectation.place.file}:${expectation.place.line}:${expectation.place.col}`;
    if (expectation.kind !== 'rule') return { ...judgeRequests(expectation, context), source };
    const rule = RULES.get(expectation.rule);
    if (!rule) return { outcome: 'fail', message: `unknown rule ${expectation.rule}`, expected: '', actual: '', evidence: [], source };
    return { ...rule.judge(context, expectation.with), source };
  });
  const failed = expectations.filter((expectation) => expectation.outcome === 'fail');
  const unjudged = expectations.filter((expectation) => expectation.outcome === 'error');
  // A failure backed by what the integration did (a forbidden request, a rule citing exchanges)
  // stands whatever else happened; a shortfall ("at least one refresh") proves nothing when the
  // check could not run its course.
  const evidenced = failed.filter((expectation) => {
    const spec = check.expect[expectations.indexOf(expectation)]!;
    if (spec.kind === 'rule') return expectation.evidence.length > 0;
    const limit = spec.kind === 'requests' ? (spec.count ?? spec.max) : undefined;
    return limit !== undefined && Number(expectation.actual) > limit;
  });
  if (failure) {
    // a step failed or the integration died during the check: only what it did before counts (a
    // hook call that failed may be the process dying: give its exit a moment to be seen)
    const crashed = await iut.current.waitExit(500);
    if (!crashed || evidenced.length === 0) return { ...base, outcome: 'error', message: failure, expectations, durationMs: Date.now() - started };
    return { ...base, outcome: 'fail', message: `the integration crashed (${crashed}); ${evidenced[0]!.message}`, expectations, durationMs: Date.now() - started };
  }
  const warned = expectations.filter((expectation) => expectation.outcome === 'warn');
  // a precondition not met, or nothing to judge: the check says neither pass nor fail
  const preconditionFailed = expectations.some((expectation, i) => expectation.outcome === 'error' && check.expect[i]!.kind === 'requires');
  const findings = preconditionFailed ? evidenced : failed;
  let outcome: Outcome = findings.length ? 'fail' : preconditionFailed || unjudged.length ? 'error' : warned.length ? 'warn' : 'pass';
  if (outcome !== 'fail' && !settled) {
    // traffic still going at the end mark: a "nothing after X" that passed may only not have happened yet
    return { ...base, outcome: 'error', message: 'not judged: the integration’s traffic did not settle within 5 s of the last step', expectations, durationMs: Date.now() - started };
  }
  let message =
    outcome === 'error' ? unjudged[0]!.message : (findings[0]?.message ?? warned[0]?.message ?? expectations.map((expectation) => expectation.message).join('; '));
  let waiver: CheckResult['waiver'];
  const declared = target.waivers.find((candidate) => candidate.check === check.id);
  if (declared && outcome === 'fail') {
    const expired = declared.expires < world.today;
    waiver = { owner: declared.owner, reason: declared.reason, expires: declared.expires, expired };
    if (!expired) outcome = 'waived';
    else message = `waiver expired on ${declared.expires}: ${message}`;
  }
  return { ...base, outcome, message, expectations, durationMs: Date.now() - started, waiver };
}

/** DESIGN.md §5: READY / READY WITH EXCEPTIONS / NOT READY / INCOMPLETE. */
export function decideVerdict(results: readonly CheckResult[], notRun: RunResult['notRun'], target: Target): { verdict: Verdict; reason: string } {
  const gating = (severity: Severity): boolean => severity === 'blocker' || severity === 'major';
  const failed = results.filter((result) => result.outcome === 'fail' && gating(result.severity));
  if (failed.length) return { verdict: 'NOT READY', reason: `${failed.length} blocker/major check(s) failed: ${failed.map((result) => result.id).join(', ')}` };
  const errored = results.filter((result) => result.outcome === 'error' && gating(result.severity));
  if (errored.length) return { verdict: 'INCOMPLETE', reason: `${errored.length} blocker/major check(s) could not be judged: ${errored.map((result) => result.id).join(', ')}` };
  const blockersNotRun = notRun.filter((check) => check.severity === 'blocker');
  if (blockersNotRun.length) return { verdict: 'INCOMPLETE', reason: `${blockersNotRun.length} blocker check(s) did not run: ${blockersNotRun.map((check) => check.id).join(', ')}` };
  const waived = results.filter((result) => result.outcome === 'waived');
  if (waived.length || target.auth.mode === 'integrated-api-key') {
    const parts = [];
    if (waived.length) parts.push(`waived: ${waived.map((result) => result.id).join(', ')}`);
    if (target.auth.mode === 'integrated-api-key') parts.push(`integrated API keys under exception ${target.auth.exception}`);
    return { verdict: 'READY WITH EXCEPTIONS', reason: parts.join('; ') };
  }
  return { verdict: 'READY', reason: 'no blocker or major check failed or errored' };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new HarnessFault(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
