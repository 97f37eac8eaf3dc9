// OAUTH-10: one refresh at a time per company — never two refresh requests presenting the same refresh token.
import type { Rule } from '../types.js';
import { pass, problemsFinding, tokenRequests, unjudged } from './shared.js';

export const singleFlightRefresh: Rule = {
  name: 'single-flight-refresh',
  description: 'no refresh token is presented in two refresh requests',
  judge(context) {
    const refreshes = tokenRequests(context, 'refresh_token');
    if (refreshes.length === 0) return unjudged('no refresh happened after the tokens expired', 'at least one refresh');
    const byToken = new Map<string, number[]>();
    for (const { exchange, form } of refreshes) {
      const token = form.get('refresh_token') ?? '';
      byToken.set(token, [...(byToken.get(token) ?? []), exchange.seq]);
    }
    const problems = [...byToken.entries()]
      .filter(([, seqs]) => seqs.length > 1)
      .map(([token, seqs]) => ({ seq: seqs[1]!, problem: `${context.sim.secrets.lookup(token)?.label ?? 'a refresh token'} presented ${seqs.length} times (#${seqs.join(', #')})` }));
    return problems.length ? problemsFinding(problems, 'each refresh token presented once') : pass(`${refreshes.length} refresh(es), each with its own refresh token`, refreshes.map((r) => r.exchange.seq));
  },
};
