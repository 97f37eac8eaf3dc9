// OAUTH-07: the integration asks for the scopes it declared, and (advisory) uses what it declared.
import { ROUTES } from '../../simulator/api/routes.js';
import type { Rule } from '../types.js';
import { apiRequests, authorizeRequests, pass, problemsFinding, unjudged } from './shared.js';

function scopesOf(method: string, path: string): readonly string[] {
  for (const route of ROUTES) {
    const regex = new RegExp(`^${route.path.replace(/\{\w+\}/g, '[^/]+').replace(/[.*+?^$()|[\]\\]/g, '\\$&')}$`);
    if (route.method === method && regex.test(path)) return route.scopes;
  }
  return [];
}

export const scopesDeclared: Rule = {
  name: 'scopes-declared',
  description: 'requested scopes are within the target’s declared scopes; a declared scope never needed is a warning',
  judge(context) {
    const declared = new Set(context.target.scopes);
    const flows = authorizeRequests(context);
    if (flows.length === 0) return unjudged('no authorization request', 'at least one flow');
    const problems: { seq: number; problem: string }[] = [];
    for (const { exchange, params } of flows) {
      const extra = (params.get('scope') ?? '').split(' ').filter((scope) => scope && !declared.has(scope));
      if (extra.length) problems.push({ seq: exchange.seq, problem: `asks for undeclared scope(s) ${extra.join(' ')}` });
    }
    if (problems.length) return problemsFinding(problems, `scopes within ${[...declared].join(' ')}`);
    const needed = new Set(apiRequests(context).filter((exchange) => exchange.response.status < 400).flatMap((exchange) => scopesOf(exchange.method, exchange.path)));
    if (needed.size === 0) return pass(`requested scopes within the ${declared.size} declared (no API call succeeded, so use is not judged)`, flows.map((f) => f.exchange.seq));
    const unused = [...declared].filter((scope) => !needed.has(scope));
    if (unused.length) return problemsFinding([{ problem: `declared but never needed: ${unused.join(' ')}` }], 'every declared scope used', 'warn');
    return pass(`requested scopes within the ${declared.size} declared, all used`, flows.map((f) => f.exchange.seq));
  },
};
