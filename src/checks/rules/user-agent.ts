// ID-01 (advisory): requests identify the integration — a User-Agent naming product and version.
import type { Rule } from '../types.js';
import { apiRequests, pass, problemsFinding, unjudged } from './shared.js';

/** Library and runtime defaults, which name no integration. */
const GENERIC = /^(node(-fetch)?|undici|node\.js|axios|got|oauth4webapi|openid-client|python-requests|curl|okhttp|java|go-http-client)\b/i;

export const userAgent: Rule = {
  name: 'user-agent',
  description: 'every API request has a User-Agent naming the integration and its version',
  judge(context) {
    const requests = apiRequests(context);
    if (apiRequests(context).length === 0) return unjudged('no API request to judge', 'API traffic');
    const problems: { seq: number; problem: string }[] = [];
    const seen = new Set<string>();
    for (const exchange of requests) {
      const value = exchange.request.headers.find(([name]) => name === 'user-agent')?.[1] ?? '';
      const product = value.split(/\s+/)[0] ?? '';
      if (/^[\w.-]+\/\d[\w.-]*$/.test(product) && !GENERIC.test(product)) continue;
      if (seen.has(value)) continue;
      seen.add(value);
      problems.push({ seq: exchange.seq, problem: value ? `User-Agent "${value}" names no integration` : 'no User-Agent' });
    }
    return problems.length ? problemsFinding(problems, 'User-Agent: <integration>/<version>', 'warn') : pass(`${requests.length} requests named the integration`);
  },
};
