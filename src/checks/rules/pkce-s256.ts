// OAUTH-02: PKCE S256 on every flow, a fresh challenge per flow, and a verifier that matches at
// the token endpoint (RFC 7636; Pleo refuses `plain`).
import { createHash } from 'node:crypto';
import type { Rule } from '../types.js';
import { authorizeRequests, tokenRequests, unjudged } from './shared.js';

export const pkceS256: Rule = {
  name: 'pkce-s256',
  description: 'every authorization request carries a fresh S256 code_challenge, and each code exchange the matching code_verifier',
  judge(context) {
    const flows = authorizeRequests(context);
    if (flows.length === 0) return unjudged('no authorization request', 'at least one flow');
    const problems: { seq: number; problem: string }[] = [];
    const challenges = new Map<string, number>();
    for (const { exchange, params } of flows) {
      const challenge = params.get('code_challenge');
      const method = params.get('code_challenge_method');
      if (!challenge) problems.push({ seq: exchange.seq, problem: 'no code_challenge' });
      else if (method !== 'S256') problems.push({ seq: exchange.seq, problem: `code_challenge_method=${method ?? '(missing, i.e. plain)'}` });
      if (challenge) {
        const earlier = challenges.get(challenge);
        if (earlier !== undefined) problems.push({ seq: exchange.seq, problem: `code_challenge reused from #${earlier}` });
        else challenges.set(challenge, exchange.seq);
      }
    }
    for (const { exchange, form } of tokenRequests(context, 'authorization_code')) {
      const verifier = form.get('code_verifier');
      if (!verifier) problems.push({ seq: exchange.seq, problem: 'code exchange without code_verifier' });
      else if (!challenges.has(createHash('sha256').update(verifier).digest('base64url'))) problems.push({ seq: exchange.seq, problem: 'code_verifier matches no challenge of this check' });
    }
    return problems.length
      ? {
          outcome: 'fail',
          message: problems.slice(0, 3).map((p) => `#${p.seq} ${p.problem}`).join('; '),
          expected: 'S256 challenge per flow, unique, with matching verifier',
          actual: problems.map((p) => p.problem).join('; '),
          evidence: problems.map((p) => p.seq),
        }
      : { outcome: 'pass', message: `${flows.length} flow(s) with fresh S256 challenges and matching verifiers`, expected: 'PKCE S256', actual: 'PKCE S256 on every flow', evidence: flows.map((f) => f.exchange.seq) };
  },
};
