// KEY-02: integrated-API-key mode — every request uses the key issued for this integration and for
// exactly the company it addresses, and the target names Pleo's approved exception.
import type { Rule } from '../types.js';
import { aliasOf, apiRequests, pass, problemsFinding } from './shared.js';

export const integratedKeys: Rule = {
  name: 'integrated-keys',
  description: 'each request uses the integrated key issued for its company and this integration',
  judge(context) {
    const problems: { seq?: number; problem: string }[] = [];
    if (!context.target.auth.exception) problems.push({ problem: 'the target names no approved exception (auth.exception)' });
    const requests = apiRequests(context);
    if (requests.length === 0) problems.push({ problem: 'no API request to judge' });
    for (const { seq, method, path, attribution } of requests) {
      const { credential } = attribution;
      if (credential.origin !== 'integrated-api-key') problems.push({ seq, problem: `${method} ${path} with ${credential.kind} ${credential.origin ?? ''}`.trim() });
      else if (credential.clientId !== context.sim.client.client_id) problems.push({ seq, problem: `${method} ${path} with a key of another integration` });
      else if (attribution.company && credential.company !== attribution.company) problems.push({ seq, problem: `${method} ${path} for ${aliasOf(context, attribution.company)} with the key of ${aliasOf(context, credential.company)}` });
      if (credential.extraHeaders?.length) problems.push({ seq, problem: `${method} ${path} also sends a credential in ${credential.extraHeaders.map((name) => `"${name}"`).join(', ')}` });
    }
    return problems.length ? problemsFinding(problems, 'the company’s own integrated key on every request') : pass(`${requests.length} requests, each with its company’s key (exception ${context.target.auth.exception})`);
  },
};
