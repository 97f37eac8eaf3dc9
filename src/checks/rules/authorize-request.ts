// OAUTH-01: connect starts an authorization-code request — response_type=code, the registered
// client_id and exactly a registered redirect_uri — on every flow.
import type { Rule } from '../types.js';
import { authorizeRequests } from './shared.js';

export const authorizeRequest: Rule = {
  name: 'authorize-request',
  description: 'every authorization request uses response_type=code, the registered client_id and an exact registered redirect_uri',
  judge(context) {
    const requests = authorizeRequests(context);
    if (requests.length === 0) {
      return { outcome: 'fail', message: 'connect never reached /oauth/authorize', expected: 'at least one authorization request', actual: 'none', evidence: [] };
    }
    const client = context.sim.client;
    const problems: { seq: number; problem: string }[] = [];
    for (const { exchange, params } of requests) {
      if (params.get('response_type') !== 'code') problems.push({ seq: exchange.seq, problem: `response_type=${params.get('response_type') ?? '(missing)'}` });
      if (params.get('client_id') !== client.client_id) problems.push({ seq: exchange.seq, problem: `client_id is ${params.get('client_id') ? 'not the registered one' : 'missing'}` });
      const redirect = params.get('redirect_uri');
      if (!redirect || !client.redirect_uris.includes(redirect)) problems.push({ seq: exchange.seq, problem: `redirect_uri ${redirect ? `"${redirect}" is not registered` : 'is missing'}` });
    }
    return problems.length
      ? {
          outcome: 'fail',
          message: `${problems.length} problem(s) in ${requests.length} authorization request(s): ${problems.slice(0, 3).map((p) => `#${p.seq} ${p.problem}`).join('; ')}`,
          expected: `response_type=code, client_id=${client.client_id}, redirect_uri in [${client.redirect_uris.join(', ')}]`,
          actual: problems.map((p) => p.problem).join('; '),
          evidence: problems.map((p) => p.seq),
        }
      : { outcome: 'pass', message: `${requests.length} authorization request(s) well formed`, expected: 'well-formed authorization requests', actual: 'all well formed', evidence: requests.map((r) => r.exchange.seq) };
  },
};
