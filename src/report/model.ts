// The readiness report: what report.json holds (versioned, schemas/report.schema.json) and every
// other format is rendered from. Its types are public API.
import { randomBytes } from 'node:crypto';
import type { Outcome } from '../checks/types.js';
import type { Requirement, Severity, Suite, Target } from '../model.js';
import type { CheckResult, RunResult, Verdict } from '../runner/run.js';
import type { SerializedExchange } from '../simulator/recorder.js';

export const REPORT_SCHEMA_VERSION = '1.0';

export const REQUIREMENTS: Readonly<Record<Requirement, string>> = {
  'EAP-1': 'OAuth 2.0 is the required default for partner integrations',
  'EAP-2': 'No standalone API keys; integrated API keys only as an approved exception',
  'EAP-3': 'Each customer authorises and revokes access independently',
  'EAP-4': 'Built for many customers: credentials and data stay apart',
  'EAP-5': 'Integration-level identity and auditability',
  'EAP-6': 'Security and data-protection standards',
  'EAP-7': 'Platform controls: rate limits and retry discipline',
};

export interface ReportExpectation {
  readonly source: string;
  readonly outcome: 'pass' | 'fail' | 'warn' | 'error';
  readonly message: string;
  readonly expected: string;
  readonly actual: string;
  readonly evidence: readonly number[];
}

export interface ReportCheck {
  readonly id: string;
  readonly title: string;
  readonly suite: string;
  readonly severity: Severity;
  readonly doc: string;
  readonly outcome: Outcome | 'not run';
  readonly message: string;
  readonly durationMs: number;
  readonly expectations: readonly ReportExpectation[];
  readonly waiver?: { readonly owner: string; readonly reason: string; readonly expires: string; readonly expired: boolean };
}

export interface ReportRequirement {
  readonly id: Requirement;
  readonly title: string;
  readonly checks: readonly ReportCheck[];
}

export interface Report {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly runId: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly harness: { readonly name: 'eap-conformance'; readonly version: string; readonly node: string };
  readonly mode: 'simulator' | 'staging';
  /** Seed of the simulator's data: `run --seed` with it creates the same companies, jobs and items. */
  readonly seed?: string;
  readonly target: {
    readonly name: string;
    readonly version: string;
    readonly authMode: Target['auth']['mode'];
    readonly exception?: string;
    readonly file: string;
    readonly digest: string;
  };
  readonly suites: readonly { readonly name: string; readonly requirement: Requirement; readonly file: string; readonly digest: string }[];
  readonly verdict: { readonly value: Verdict; readonly rule: string };
  readonly summary: Readonly<Record<Outcome | 'not run', number>>;
  readonly iutExit?: string;
  readonly requirements: readonly ReportRequirement[];
  /** The exchanges cited as evidence, redacted, in seq order. */
  readonly exchanges: readonly SerializedExchange[];
}

/** `2026-12-03T20-21-07Z-3f9a1c`: sortable, unique, safe in a path. */
export function newRunId(date = new Date()): string {
  return `${date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}-${randomBytes(3).toString('hex')}`;
}

/** Builds the report of a run. Strings that could hold secrets are redacted with the run's secrets. */
export function buildReport(input: { run: RunResult; target: Target; suites: readonly Suite[]; harnessVersion: string; runId?: string }): Report {
  const { run, target } = input;
  const redact = (text: string): string => run.secrets.redact(text);
  const toCheck = (result: CheckResult): ReportCheck => ({
    id: result.id,
    title: result.title,
    suite: result.suite,
    severity: result.severity,
    doc: result.doc,
    outcome: result.outcome,
    message: redact(result.message),
    durationMs: result.durationMs,
    expectations: result.expectations.map((expectation) => ({
      source: expectation.source,
      outcome: expectation.outcome,
      message: redact(expectation.message),
      expected: redact(expectation.expected),
      actual: redact(expectation.actual),
      evidence: [...expectation.evidence],
    })),
    ...(result.waiver ? { waiver: { ...result.waiver } } : {}),
  });
  const checks = new Map<string, ReportCheck>(run.results.map((result) => [result.id, toCheck(result)]));
  const allChecks = input.suites.flatMap((suite) => suite.checks.map((check) => ({ check, requirement: check.requirement })));
  for (const notRun of run.notRun) {
    const found = allChecks.find(({ check }) => check.id === notRun.id)?.check;
    if (!found) continue;
    checks.set(notRun.id, { id: found.id, title: found.title, suite: found.suite, severity: found.severity, doc: found.doc, outcome: 'not run', message: notRun.reason, durationMs: 0, expectations: [] });
  }
  const requirements = (Object.keys(REQUIREMENTS) as Requirement[])
    .map((id) => ({
      id,
      title: REQUIREMENTS[id],
      checks: allChecks.filter(({ requirement }) => requirement === id).flatMap(({ check }) => (checks.has(check.id) ? [checks.get(check.id)!] : [])),
    }))
    .filter((requirement) => requirement.checks.length > 0);
  const summary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0, waived: 0, 'not run': 0 } as Record<Outcome | 'not run', number>;
  for (const check of checks.values()) summary[check.outcome] += 1;
  const finished = new Date(Date.parse(run.startedAt) + run.durationMs);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: input.runId ?? newRunId(new Date(run.startedAt)),
    startedAt: run.startedAt,
    finishedAt: finished.toISOString(),
    durationMs: run.durationMs,
    harness: { name: 'eap-conformance', version: input.harnessVersion, node: process.version },
    mode: 'simulator',
    ...(run.seed === undefined ? {} : { seed: run.seed }),
    target: { name: target.name, version: target.version, authMode: target.auth.mode, exception: target.auth.exception, file: target.file, digest: target.digest },
    suites: input.suites.map((suite) => ({ name: suite.name, requirement: suite.requirement, file: suite.file, digest: suite.digest })),
    verdict: { value: run.verdict, rule: redact(run.verdictReason) },
    summary,
    ...(run.iutExit ? { iutExit: redact(run.iutExit) } : {}),
    requirements,
    exchanges: run.evidence,
  };
}

/** Every check of a report, failed and errored first (the order reviewers read in). */
export function checksByAttention(report: Report): ReportCheck[] {
  const rank: Record<ReportCheck['outcome'], number> = { fail: 0, error: 1, warn: 2, waived: 3, 'not run': 4, skip: 5, pass: 6 };
  return report.requirements.flatMap((requirement) => requirement.checks).sort((a, b) => rank[a.outcome] - rank[b.outcome]);
}
