// KEY-01: in OAuth mode every API request carries a Bearer access token the authorization server
// minted for this integration — no API keys, client credentials, ad-hoc headers or made-up bearers.
import type { Rule } from '../types.js';
import { apiRequests, pass, problemsFinding, unjudged } from './shared.js';

export const oauthCredentialsOnly: Rule = {
  name: 'oauth-credentials-only',
  description: 'every API request carries an access token minted for this integration',
  judge(context) {
    const requests = apiRequests(context);
    if (requests.length === 0) return unjudged('no API request to judge', 'API traffic');
    const problems = requests
      .filter(({ attribution: { credential } }) => !(credential.kind === 'bearer' && credential.origin === 'access-token' && credential.clientId === context.sim.client.client_id))
      .map(({ seq, method, path, attribution: { credential } }) => ({
        seq,
        problem: `${method} ${path} with ${credential.kind === 'none' ? 'no credential' : `${credential.kind} ${credential.origin ?? ''}${credential.header && credential.header !== 'authorization' ? ` in "${credential.header}"` : ''}`.trim()}`,
      }));
    return problems.length ? problemsFinding(problems, 'Bearer access tokens from /oauth/token only') : pass(`${requests.length} API requests, all with minted access tokens`);
  },
};
