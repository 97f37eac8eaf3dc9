// KEY-03: the connect flow never asks the customer for an API key: it redirects to /oauth/authorize.
import type { Rule } from '../types.js';
import { pass, problemsFinding, unjudged } from './shared.js';

export const connectGoesToAuthorize: Rule = {
  name: 'connect-goes-to-authorize',
  description: 'the connect hook redirects the browser to Pleo’s /oauth/authorize',
  judge(context) {
    const connectPath = context.target.hooks.connect;
    const visits = context.exchanges.filter((exchange) => exchange.server === 'iut' && exchange.method === 'GET' && exchange.path === connectPath);
    if (visits.length === 0) return unjudged(`the browser never reached ${connectPath}`, 'a connect visit');
    const authorize = `${context.sim.authUrl}/oauth/authorize`;
    const problems: { seq: number; problem: string }[] = [];
    for (const visit of visits) {
      const location = visit.response.headers.find(([name]) => name === 'location')?.[1];
      const asksForKey = /api[ -_]?key|pls_|<input[^>]+(password|key)/i.test(visit.response.body);
      if (location && new URL(location, 'http://x').href.startsWith(authorize)) continue;
      problems.push({ seq: visit.seq, problem: asksForKey ? `${connectPath} answers ${visit.response.status} with a page asking for an API key` : `${connectPath} answers ${visit.response.status}${location ? ` redirecting to ${location.split('?')[0]}` : ''}, not to /oauth/authorize` });
    }
    return problems.length ? problemsFinding(problems, `${connectPath} redirects to ${authorize}`) : pass(`${visits.length} connect(s), each redirected to /oauth/authorize`);
  },
};
