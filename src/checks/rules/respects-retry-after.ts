// OPS-01: after a 429 with Retry-After, no request for that company before the time has passed.
import type { Rule } from '../types.js';
import { aliasOf, apiRequests, pass, problemsFinding, unjudged } from './shared.js';

const TOLERANCE_MS = 50;

export const respectsRetryAfter: Rule = {
  name: 'respects-retry-after',
  description: 'no request for a company inside the Retry-After window of a 429 it got',
  judge(context) {
    const requests = apiRequests(context);
    const limited = requests.filter((exchange) => exchange.response.status === 429);
    if (limited.length === 0) return unjudged('the integration never met the 429', 'a 429 to respect');
    const problems: { seq: number; problem: string }[] = [];
    const first = limited[0]!;
    const seconds = Number(first.response.headers.find(([name]) => name === 'retry-after')?.[1] ?? 0);
    const company = first.attribution.credential.company;
    const until = first.startedAt + first.durationMs + seconds * 1000 - TOLERANCE_MS;
    for (const exchange of requests) {
      if (exchange.seq <= first.seq || exchange.attribution.credential.company !== company) continue;
      if (exchange.startedAt < until) problems.push({ seq: exchange.seq, problem: `${exchange.method} ${exchange.path} ${Math.round(exchange.startedAt - first.startedAt)} ms after a 429 with Retry-After: ${seconds}` });
    }
    const after = requests.filter((exchange) => exchange.seq > first.seq && exchange.attribution.credential.company === company && exchange.startedAt >= until);
    if (!problems.length && after.length === 0) problems.push({ seq: first.seq, problem: `${aliasOf(context, company)} never resumed after the window` });
    return problems.length ? problemsFinding(problems, `nothing for ${aliasOf(context, company)} for ${seconds} s after the 429`) : pass(`waited ${seconds} s after the 429, then resumed`, [first.seq]);
  },
};
