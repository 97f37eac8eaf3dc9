// Declarative expectations: a filter over the recorded exchanges and a count. The failure message
// names what was counted and shows the first offending exchanges.
import type { Expectation, RequestFilter } from '../model.js';
import type { Exchange, ExchangeServer } from '../simulator/recorder.js';
import type { CheckContext, Finding } from './types.js';

/** Servers a filter looks at when it names none: what the integration sent to Pleo. */
const DEFAULT_SERVERS: readonly ExchangeServer[] = ['auth', 'api', 'untrusted'];

/**
 * Whether an exchange belongs to the check: it concerns one of the check's companies, or no company
 * at all. Traffic the integration still makes for companies of earlier checks is not the check's.
 */
export function concernsCheck(exchange: Exchange, context: CheckContext): boolean {
  const { company, credential } = exchange.attribution;
  const ids = [company, credential.company].filter((id): id is string => Boolean(id));
  if (ids.length === 0) return true;
  return ids.some((id) => [...context.companies.values()].some((own) => own.id === id));
}

export function matchesFilter(exchange: Exchange, filter: RequestFilter, context: CheckContext): boolean {
  if (filter.server ? exchange.server !== filter.server : !DEFAULT_SERVERS.includes(exchange.server)) return false;
  if (!concernsCheck(exchange, context)) return false;
  if (filter.method && exchange.method !== filter.method) return false;
  if (filter.path && !(filter.path.endsWith('*') ? exchange.path.startsWith(filter.path.slice(0, -1)) : exchange.path === filter.path)) return false;
  if (filter.status !== undefined) {
    const status = exchange.response.status;
    if (typeof filter.status === 'number' ? status !== filter.status : String(status)[0] !== filter.status[0]) return false;
  }
  const { attribution } = exchange;
  if (filter.company) {
    const id = context.companies.get(filter.company)?.id;
    if (!id || (attribution.company !== id && attribution.credential.company !== id)) return false;
  }
  if (filter.credential && attribution.credential.kind !== filter.credential) return false;
  if (filter.origin && attribution.credential.origin !== filter.origin) return false;
  if (filter.valid !== undefined && attribution.credential.valid !== filter.valid) return false;
  if (filter.crossCompany !== undefined && attribution.crossCompany !== filter.crossCompany) return false;
  if (filter.since && exchange.seq < (context.marks.get(filter.since) ?? Infinity)) return false;
  if (filter.until && exchange.seq >= (context.marks.get(filter.until) ?? -Infinity)) return false;
  if (filter.clientAuth && attribution.clientAuth !== filter.clientAuth) return false;
  if (filter.grantType && attribution.grantType !== filter.grantType) return false;
  if (filter.presented && attribution.presented?.state !== filter.presented) return false;
  if (filter.delivery && attribution.delivery !== filter.delivery) return false;
  if (filter.query) {
    const query = new URL(exchange.url, 'http://x').searchParams;
    for (const [name, value] of Object.entries(filter.query)) if (query.get(name) !== resolveValue(value, context)) return false;
  }
  if (filter.body) {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(exchange.request.body) as Record<string, unknown>;
    } catch {
      return false;
    }
    for (const [name, value] of Object.entries(filter.body)) if (JSON.stringify(body?.[name]) !== JSON.stringify(typeof value === 'string' ? resolveValue(value, context) : value)) return false;
  }
  return true;
}

/** `{company.acme}` in a value stands for that company's id. */
function resolveValue(value: string, context: CheckContext): string {
  return value.replace(/\{company\.([a-z0-9]+)\}/g, (whole, alias: string) => context.companies.get(alias)?.id ?? whole);
}

/** Judges a `requests:` expectation. */
export function judgeRequests(expectation: Extract<Expectation, { kind: 'requests' | 'requires' }>, context: CheckContext): Finding {
  // `{hook.callback}` stands for the target's hook path: resolved once, and shown resolved
  const path = expectation.filter.path?.replace(/^\{hook\.([a-z]+)\}/, (whole, hook: string) => (context.target.hooks as Record<string, string>)[hook] ?? whole);
  const filter = path === undefined ? expectation.filter : { ...expectation.filter, path };
  const matched = context.exchanges.filter((exchange) => matchesFilter(exchange, filter, context));
  const n = matched.length;
  const { min, max, count } = expectation;
  const expected = count !== undefined ? `exactly ${count}` : min !== undefined && max !== undefined ? `${min} to ${max}` : min !== undefined ? `at least ${min}` : `at most ${max}`;
  const ok = count !== undefined ? n === count : (min === undefined || n >= min) && (max === undefined || n <= max);
  const what = describeFilter(filter);
  const sample = matched.slice(0, 3).map((exchange) => `#${exchange.seq} ${exchange.method} ${exchange.path} → ${exchange.response.status}`);
  const message = ok ? `${n} ${what}` : `expected ${expected} ${what}, found ${n}${sample.length ? ` (${sample.join('; ')}${n > 3 ? '; …' : ''})` : ''}`;
  return {
    outcome: ok ? 'pass' : expectation.kind === 'requires' ? 'error' : 'fail',
    message: !ok && expectation.kind === 'requires' ? `not judged: precondition not met: ${message}` : message,
    expected: `${expected} ${what}`,
    actual: `${n}`,
    evidence: matched.slice(0, 20).map((exchange) => exchange.seq),
  };
}

export function describeFilter(filter: RequestFilter): string {
  const parts: string[] = [];
  if (filter.method) parts.push(filter.method);
  parts.push(filter.path ? `request${''} to ${filter.path}` : filter.server === 'iut' ? 'calls to the integration' : filter.server === 'webhook' ? 'webhook deliveries' : 'requests');
  if (filter.company) parts.push(`for ${filter.company}`);
  if (filter.status !== undefined) parts.push(`answered ${filter.status}`);
  if (filter.credential) parts.push(`with ${filter.credential} credentials`);
  if (filter.origin) parts.push(`using a ${filter.origin}`);
  if (filter.valid !== undefined) parts.push(filter.valid ? 'with a valid credential' : 'with an invalid credential');
  if (filter.crossCompany) parts.push('addressing another company than the credential’s');
  if (filter.grantType) parts.push(`for grant ${filter.grantType}`);
  if (filter.clientAuth) parts.push(`authenticated by ${filter.clientAuth}`);
  if (filter.presented) parts.push(`presenting a ${filter.presented} token`);
  if (filter.delivery) parts.push(`(${filter.delivery} deliveries)`);
  if (filter.body) parts.push(`with body ${JSON.stringify(filter.body)}`);
  if (filter.query) parts.push(`with query ${JSON.stringify(filter.query)}`);
  if (filter.since) parts.push(`since "${filter.since}"`);
  if (filter.until) parts.push(`until "${filter.until}"`);
  return parts.join(' ');
}
