// SEC-02: no secret echoed in the integration's own pages, redirects or hook answers.
import type { Rule } from '../types.js';
import { pass, problemsFinding, secretsIn } from './shared.js';

export const noSecretInIutResponses: Rule = {
  name: 'no-secret-in-iut-responses',
  description: 'no response of the integration contains a credential',
  judge(context) {
    const answers = context.exchanges.filter((exchange) => exchange.server === 'iut' || exchange.server === 'webhook');
    const problems = answers
      .map((exchange) => ({ exchange, found: secretsIn(`${exchange.response.headers.map(([name, value]) => `${name}: ${value}`).join('\n')}\n${exchange.response.body}`, context) }))
      .filter(({ found }) => found.length)
      .map(({ exchange, found }) => ({ seq: exchange.seq, problem: `the answer to ${exchange.method} ${exchange.path} shows ${found.join(', ')}` }));
    return problems.length ? problemsFinding(problems, 'no credential in the integration’s answers') : pass(`${answers.length} answers of the integration, none with a credential`);
  },
};
