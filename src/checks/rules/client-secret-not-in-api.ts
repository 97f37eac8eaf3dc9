// OAUTH-06: the client secret authenticates the client at the token endpoint only; it never reaches the API.
import type { Rule } from '../types.js';
import { apiRequests, pass, problemsFinding, requestText, secretsIn } from './shared.js';

export const clientSecretNotInApi: Rule = {
  name: 'client-secret-not-in-api',
  description: 'no API request carries the client secret (in a header, the URL or the body)',
  judge(context) {
    const problems = apiRequests(context)
      .filter((exchange) => secretsIn(requestText(exchange), context, ['client-secret']).length > 0)
      .map((exchange) => ({ seq: exchange.seq, problem: `${exchange.method} ${exchange.path} carries the client secret` }));
    return problems.length ? problemsFinding(problems, 'the client secret only at /oauth/token') : pass('the client secret never reached the API');
  },
};
