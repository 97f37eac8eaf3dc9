// SEC-01: no credential (token, key, client secret, code verifier) in any URL the integration
// requests, or sends the browser to.
import type { Rule } from '../types.js';
import { pass, problemsFinding, secretsIn } from './shared.js';

export const noSecretInUrls: Rule = {
  name: 'no-secret-in-urls',
  description: 'no credential appears in a request URL or a redirect the integration answers',
  judge(context) {
    const problems: { seq: number; problem: string }[] = [];
    for (const exchange of context.exchanges) {
      if (exchange.server === 'webhook') continue;
      const urls = [exchange.url];
      if (exchange.server === 'iut') urls.push(...exchange.response.headers.filter(([name]) => name === 'location').map(([, value]) => value));
      const found = urls.flatMap((url) => secretsIn(url, context));
      if (found.length) problems.push({ seq: exchange.seq, problem: `${exchange.method} ${exchange.path} has ${found.join(', ')} in a URL` });
    }
    return problems.length ? problemsFinding(problems, 'credentials in headers or bodies only') : pass('no credential in any URL');
  },
};
