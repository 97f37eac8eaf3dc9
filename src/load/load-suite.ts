// Suite files: YAML → schema → typed model, plus what a schema cannot say (duplicate ids,
// companies and marks that steps and expectations use, rule names).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Check, Expectation, RequestFilter, Step, Suite } from '../model.js';
import type { Diagnostic } from './diagnostics.js';
import { loadYamlFile, type ParsedYaml } from './yaml-file.js';

export const SUITE_SCHEMA = JSON.parse(readFileSync(fileURLToPath(new URL('../../schemas/suite.schema.json', import.meta.url)), 'utf8')) as object;

type Raw = Record<string, unknown>;

/** Loads suite files; returns the suites and every problem found (nothing is usable while any exists). */
export function loadSuites(files: readonly { path: string; display: string }[], knownRules: ReadonlySet<string>): { suites: Suite[]; diagnostics: Diagnostic[] } {
  const suites: Suite[] = [];
  const diagnostics: Diagnostic[] = [];
  const seenIds = new Map<string, string>();
  for (const file of files) {
    const { parsed, diagnostics: found } = loadYamlFile(file.path, file.display, SUITE_SCHEMA);
    diagnostics.push(...found);
    if (!parsed || found.length) continue;
    const digest = createHash('sha256').update(readFileSync(file.path)).digest('hex');
    const suite = toSuite(parsed, digest, knownRules, diagnostics);
    suite.checks.forEach((check, index) => {
      const previous = seenIds.get(check.id);
      if (previous) diagnostics.push(parsed.at(['checks', index, 'id'], `duplicate check id "${check.id}" (first defined in ${previous})`));
      else seenIds.set(check.id, `${check.place.file}:${check.place.line}`);
    });
    suites.push(suite);
  }
  return { suites, diagnostics };
}

function toSuite(parsed: ParsedYaml, digest: string, knownRules: ReadonlySet<string>, diagnostics: Diagnostic[]): Suite {
  const raw = parsed.data as Raw;
  const name = raw.suite as string;
  const checks = (raw.checks as Raw[]).map((check, index) => toCheck(parsed, check, index, name, raw.requirement as Suite['requirement'], knownRules, diagnostics));
  return { file: parsed.file, digest, name, title: raw.title as string | undefined, requirement: raw.requirement as Suite['requirement'], checks };
}

function toCheck(parsed: ParsedYaml, raw: Raw, index: number, suite: string, requirement: Suite['requirement'], knownRules: ReadonlySet<string>, diagnostics: Diagnostic[]): Check {
  const base = ['checks', index] as const;
  const companies = (raw.companies as string[] | undefined) ?? [];
  const fleet = raw.fleet as number | undefined;
  if (fleet !== undefined && companies.length) diagnostics.push(parsed.at([...base, 'fleet'], 'give either `companies` or `fleet`, not both'));
  const known = new Set([...companies, 'all']);
  const marks = new Set<string>();
  const useCompany = (company: string | undefined, path: (string | number)[]): string | undefined => {
    if (company !== undefined && fleet !== undefined && company !== 'all') diagnostics.push(parsed.at(path, 'a fleet check names its companies as `all`'));
    else if (company !== undefined && !known.has(company)) diagnostics.push(parsed.at(path, `company "${company}" is not in this check's companies (${companies.join(', ') || 'none'})`));
    return company;
  };
  const steps = (raw.steps as Raw[]).map((step, stepIndex) => {
    const converted = toStep(step);
    const path = [...base, 'steps', stepIndex, Object.keys(step)[0]!];
    if ('company' in converted && converted.company !== undefined) useCompany(converted.company, path);
    if (converted.kind === 'mark') marks.add(converted.name);
    return converted;
  });
  const expect = (raw.expect as Raw[]).map((expectation, expectIndex): Expectation => {
    const path = [...base, 'expect', expectIndex];
    const place = placeOf(parsed.at(path, ''));
    if (expectation.rule !== undefined) {
      const rule = expectation.rule as string;
      if (!knownRules.has(rule)) diagnostics.push(parsed.at([...path, 'rule'], `unknown rule "${rule}" (expected one of ${[...knownRules].sort().join(', ')})`));
      if (expectation.requests !== undefined) diagnostics.push(parsed.at(path, 'an expectation is either `requests` or `rule`, not both'));
      return { kind: 'rule', rule, with: (expectation.with as Raw | undefined) ?? {}, place };
    }
    const key = expectation.requires !== undefined ? 'requires' : 'requests';
    if (expectation[key] === undefined) {
      diagnostics.push(parsed.at(path, 'an expectation needs `requests: {…}`, `requires: {…}` or `rule: name`'));
      return { kind: 'rule', rule: 'invalid', with: {}, place };
    }
    if (expectation.requires !== undefined && expectation.requests !== undefined) diagnostics.push(parsed.at(path, 'an expectation is either `requests` or `requires`, not both'));
    if (expectation.with !== undefined) diagnostics.push(parsed.at([...path, 'with'], '`with` goes with `rule`'));
    const filter = expectation[key] as Raw;
    const fpath = [...path, key];
    useCompany(filter.company as string | undefined, [...fpath, 'company']);
    for (const key of ['since', 'until'] as const) {
      const mark = filter[key] as string | undefined;
      if (mark !== undefined && !marks.has(mark)) diagnostics.push(parsed.at([...fpath, key], `mark "${mark}" is not set by any step of this check`));
    }
    if (filter.count !== undefined && (filter.min !== undefined || filter.max !== undefined)) diagnostics.push(parsed.at([...fpath, 'count'], '`count` cannot be combined with `min` or `max`'));
    if (filter.count === undefined && filter.min === undefined && filter.max === undefined) diagnostics.push(parsed.at(fpath, 'say how many: `count`, `min` or `max`'));
    return {
      kind: key,
      filter: toFilter(filter),
      min: filter.min as number | undefined,
      max: filter.max as number | undefined,
      count: filter.count as number | undefined,
      place,
    };
  });
  return {
    id: raw.id as string,
    title: raw.title as string,
    requirement: (raw.requirement as Suite['requirement'] | undefined) ?? requirement,
    severity: raw.severity as Check['severity'],
    doc: raw.doc as string,
    modes: (raw.modes as Check['modes'] | undefined) ?? ['oauth2'],
    companies,
    fleet,
    requiresHooks: (raw.requires_hooks as Check['requiresHooks'] | undefined) ?? [],
    steps,
    expect,
    suite,
    place: placeOf(parsed.at(base as unknown as (string | number)[], '')),
  };
}

function placeOf(diagnostic: Diagnostic): { file: string; line: number; col: number } {
  return { file: diagnostic.file, line: diagnostic.line, col: diagnostic.col };
}

function toFilter(raw: Raw): RequestFilter {
  return {
    server: raw.server as RequestFilter['server'],
    company: raw.company as string | undefined,
    method: raw.method as string | undefined,
    path: raw.path as string | undefined,
    status: raw.status as number | string | undefined,
    credential: raw.credential as RequestFilter['credential'],
    origin: raw.origin as string | undefined,
    valid: raw.valid as boolean | undefined,
    crossCompany: raw.cross_company as boolean | undefined,
    since: raw.since as string | undefined,
    until: raw.until as string | undefined,
    body: raw.body as Raw | undefined,
    query: raw.query as Record<string, string> | undefined,
    clientAuth: raw.client_auth as RequestFilter['clientAuth'],
    grantType: raw.grant_type as RequestFilter['grantType'],
    presented: raw.presented as RequestFilter['presented'],
    delivery: raw.delivery as RequestFilter['delivery'],
  };
}

/** One validated step object (`{connect: acme}`) to its typed form. */
function toStep(raw: Raw): Step {
  const [kind, value] = Object.entries(raw)[0]! as [Step['kind'], unknown];
  const object = (value ?? {}) as Raw;
  switch (kind) {
    case 'connect':
      return typeof value === 'string'
        ? { kind, company: value, decision: 'approve' }
        : { kind, company: object.company as string, decision: (object.decision as 'approve' | 'deny' | undefined) ?? 'approve' };
    case 'sync':
      return { kind, company: object.company as string | undefined, concurrent: (object.concurrent as number | undefined) ?? 1 };
    case 'onboard':
    case 'revoke-consent':
    case 'expire-tokens':
    case 'disconnect':
    case 'status':
    case 'provision-key':
      return { kind, company: value as string };
    case 'token-lifetime':
      return { kind, seconds: object.seconds as number, company: object.company as string | undefined };
    case 'fault':
      return {
        kind,
        fault: object.kind as 'rate-limit' | 'server-error' | 'latency',
        company: object.company as string | undefined,
        endpoint: object.endpoint as string | undefined,
        retryAfter: object.retry_after as number | undefined,
        times: object.times as number | undefined,
        status: object.status as 500 | 502 | 503 | 504 | undefined,
        count: object.count as number | undefined,
        ms: object.ms as number | undefined,
      };
    case 'clear-faults':
      return { kind };
    case 'send-webhook':
      return { kind, company: object.company as string, delivery: (object.kind as 'valid' | undefined) ?? 'valid' };
    case 'callback-tamper':
      return { kind, company: object.company as string, tamper: object.kind as 'forged-state' };
    case 'new-job':
      return { kind, company: object.company as string, items: (object.items as number | undefined) ?? 3 };
    case 'mark':
      return { kind, name: value as string };
    case 'wait-quiet':
      return { kind, ms: (object.ms as number | undefined) ?? 300, timeoutMs: (object.timeout_ms as number | undefined) ?? 10_000 };
    case 'restart-iut':
      return { kind, api: (object.api as 'trusted' | 'untrusted' | undefined) ?? 'trusted' };
    default: {
      const never: never = kind;
      throw new Error(`unknown step kind ${String(never)}`);
    }
  }
}
