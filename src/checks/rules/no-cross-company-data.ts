// TEN-02: no data crosses companies — ids and canary texts of company A never appear in requests for B.
import type { Rule } from '../types.js';
import { aliasOf, apiRequests, pass, problemsFinding, unjudged } from './shared.js';

export const noCrossCompanyData: Rule = {
  name: 'no-cross-company-data',
  description: 'requests for one company carry none of another company’s ids or texts',
  judge(context) {
    const { world } = context.sim;
    const markers = new Map<string, string[]>();
    for (const company of context.companies.values()) {
      const own = [company.canary, company.id];
      for (const job of world.jobsOf(company.id)) own.push(job.id, ...job.itemIds);
      markers.set(company.id, own);
    }
    if (apiRequests(context).length === 0) return unjudged('no API request to judge', 'API traffic');
    const problems: { seq: number; problem: string }[] = [];
    for (const exchange of apiRequests(context)) {
      const subject = exchange.attribution.company ?? exchange.attribution.credential.company;
      if (!subject || !markers.has(subject)) continue;
      const text = `${exchange.url}\n${exchange.request.body}`;
      for (const [other, values] of markers) {
        if (other === subject) continue;
        const leaked = values.find((value) => text.includes(value));
        if (leaked) {
          problems.push({ seq: exchange.seq, problem: `${exchange.method} ${exchange.path} for ${aliasOf(context, subject)} carries ${leaked.startsWith('canary-') ? 'the canary text' : 'an id'} of ${aliasOf(context, other)}` });
          break;
        }
      }
    }
    return problems.length ? problemsFinding(problems, 'each company’s requests free of other companies’ data') : pass('no company’s data appeared in another company’s requests');
  },
};
