// OPS-03: Pleo allows 600 requests a minute; each company's request rate stays under it.
import type { Rule } from '../types.js';
import { aliasOf, apiRequests, pass, problemsFinding } from './shared.js';

const LIMIT = 600;
const WINDOW_MS = 60_000;

export const ratePerCompany: Rule = {
  name: 'rate-per-company',
  description: `at most ${LIMIT} requests per company in any ${WINDOW_MS / 1000} s window`,
  judge(context) {
    const byCompany = new Map<string, number[]>();
    for (const exchange of apiRequests(context)) {
      const company = exchange.attribution.credential.company ?? exchange.attribution.company;
      if (!company) continue;
      byCompany.set(company, [...(byCompany.get(company) ?? []), exchange.startedAt]);
    }
    const problems: { problem: string }[] = [];
    let busiest = 0;
    for (const [company, times] of byCompany) {
      let start = 0;
      let peak = 0;
      for (let end = 0; end < times.length; end += 1) {
        while (times[end]! - times[start]! >= WINDOW_MS) start += 1;
        peak = Math.max(peak, end - start + 1);
      }
      busiest = Math.max(busiest, peak);
      if (peak > LIMIT) problems.push({ problem: `${peak} requests for ${aliasOf(context, company)} within ${WINDOW_MS / 1000} s` });
    }
    return problems.length ? problemsFinding(problems, `≤${LIMIT} per company per minute`) : pass(`busiest company: ${busiest} requests in a minute (limit ${LIMIT})`);
  },
};
