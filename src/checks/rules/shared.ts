// Helpers several rules share: the authorization and token requests of a check, API traffic,
// company names, and scanning text for the run's secrets.
import type { Exchange } from '../../simulator/recorder.js';
import type { SecretKind } from '../../simulator/secrets.js';
import { concernsCheck } from '../filter.js';
import type { CheckContext, Finding } from '../types.js';

export function authorizeRequests(context: CheckContext): { exchange: Exchange; params: URLSearchParams }[] {
  return context.exchanges
    .filter((exchange) => exchange.server === 'auth' && exchange.method === 'GET' && exchange.path === '/oauth/authorize')
    .map((exchange) => ({ exchange, params: new URL(exchange.url, 'http://x').searchParams }));
}

export function tokenRequests(context: CheckContext, grantType?: string): { exchange: Exchange; form: URLSearchParams }[] {
  return context.exchanges
    .filter((exchange) => exchange.server === 'auth' && exchange.method === 'POST' && exchange.path === '/oauth/token' && concernsCheck(exchange, context))
    .map((exchange) => ({ exchange, form: new URLSearchParams(exchange.request.body) }))
    .filter(({ form }) => grantType === undefined || form.get('grant_type') === grantType);
}

/** What the integration sent to the API (trusted or untrusted endpoint). */
export function apiRequests(context: CheckContext): Exchange[] {
  return context.exchanges.filter((exchange) => (exchange.server === 'api' || exchange.server === 'untrusted') && concernsCheck(exchange, context));
}

/** The check's alias of a company id (`acme`), or the id. */
export function aliasOf(context: CheckContext, companyId: string | undefined): string {
  if (!companyId) return '(no company)';
  for (const [alias, company] of context.companies) if (company.id === companyId) return alias;
  return context.sim.world.company(companyId)?.alias ?? companyId;
}

/** Company ids of the check. */
export function companyIds(context: CheckContext): Set<string> {
  return new Set([...context.companies.values()].map((company) => company.id));
}

/** Credentials an integration must never expose (authorization codes travel in the callback URL by design). */
export const CREDENTIAL_KINDS: readonly SecretKind[] = ['access-token', 'refresh-token', 'api-key', 'client-secret', 'code-verifier', 'webhook-secret'];

/** Labels of the run's secrets of `kinds` found in `text` (also inside Basic credentials and URL-encoded). */
export function secretsIn(text: string, context: CheckContext, kinds: readonly SecretKind[] = CREDENTIAL_KINDS): string[] {
  if (!text) return [];
  const haystacks = [text];
  for (const match of text.matchAll(/basic\s+([A-Za-z0-9+/=]{8,})/gi)) haystacks.push(Buffer.from(match[1]!, 'base64').toString('utf8'));
  try {
    const decoded = decodeURIComponent(text.replace(/\+/g, ' '));
    if (decoded !== text) haystacks.push(decoded);
  } catch {
    /* not URL-encoded */
  }
  const found = new Set<string>();
  for (const value of context.sim.secrets.values()) {
    const info = context.sim.secrets.lookup(value)!;
    if (!kinds.includes(info.kind)) continue;
    if (haystacks.some((haystack) => haystack.includes(value))) found.add(info.label);
  }
  return [...found];
}

/** Text of a recorded request: URL, headers and body. */
export function requestText(exchange: Exchange): string {
  return [exchange.url, ...exchange.request.headers.map(([name, value]) => `${name}: ${value}`), exchange.request.body].join('\n');
}

export function pass(message: string, evidence: readonly number[] = [], expected = message): Finding {
  return { outcome: 'pass', message, expected, actual: message, evidence };
}

/** A failure (or, for advisory rules, a warning) listing the first problems. */
export function problemsFinding(
  problems: readonly { seq?: number; problem: string }[],
  expected: string,
  outcome: 'fail' | 'warn' = 'fail',
): Finding {
  const shown = problems.slice(0, 3).map((p) => (p.seq !== undefined ? `#${p.seq} ${p.problem}` : p.problem));
  return {
    outcome,
    message: `${shown.join('; ')}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}`,
    expected,
    actual: problems.map((p) => p.problem).slice(0, 20).join('; '),
    evidence: problems.flatMap((p) => (p.seq !== undefined ? [p.seq] : [])).slice(0, 20),
  };
}

/** The rule had nothing to judge: the check cannot say pass or fail. */
export function unjudged(problem: string, expected: string): Finding {
  return { outcome: 'error', message: `not judged: ${problem}`, expected, actual: problem, evidence: [] };
}
