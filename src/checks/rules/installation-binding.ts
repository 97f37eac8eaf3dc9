// ID-02 (advisory): the integration binds each connection to its company through the installation.
import type { Rule } from '../types.js';
import { aliasOf, apiRequests, pass, problemsFinding, unjudged } from './shared.js';

export const installationBinding: Rule = {
  name: 'installation-binding',
  description: 'for every connected company the integration read GET /v1/installations/me',
  judge(context) {
    const api = apiRequests(context);
    const connected = new Set(api.map((exchange) => exchange.attribution.credential.company).filter((id): id is string => Boolean(id)));
    const bound = new Set(api.filter((exchange) => exchange.method === 'GET' && exchange.path === '/v1/installations/me' && exchange.response.status === 200).map((exchange) => exchange.attribution.credential.company));
    const problems = [...connected].filter((id) => !bound.has(id)).map((id) => ({ problem: `${aliasOf(context, id)} was never looked up through /v1/installations/me` }));
    if (connected.size === 0) return unjudged('no company was connected', 'connections');
    return problems.length ? problemsFinding(problems, 'GET /v1/installations/me per connection', 'warn') : pass(`${connected.size} connection(s) bound through the installation`);
  },
};
