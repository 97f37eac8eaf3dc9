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
    const minted = (credential: (typeof requests)[number]['attribution']['credential']): boolean =>
      credential.kind === 'bearer' && credential.origin === 'access-token' && credential.clientId === context.sim.client.client_id;
    const problems = requests
      .filter(({ attribution: { credential } }) => !minted(credential) || credential.extraHeaders?.length)
      .map(({ seq, method, path, attribution: { credential } }) => {
        const sent = credential.kind === 'none' ? 'no credential' : `${credential.kind} ${credential.origin ?? ''}${credential.header && credential.header !== 'authorization' ? ` in "${credential.header}"` : ''}`.trim();
        const extra = credential.extraHeaders?.length ? ` and a credential in ${credential.extraHeaders.map((name) => `"${name}"`).join(', ')}` : '';
        return { seq, problem: `${method} ${path} with ${sent}${extra}` };
      });
    return problems.length ? problemsFinding(problems, 'Bearer access tokens from /oauth/token only') : pass(`${requests.length} API requests, all with minted access tokens`);
  },
};
