// TEN-04: many companies at once — each company's export jobs complete with exactly its own items.
import type { Rule } from '../types.js';
import { pass, problemsFinding } from './shared.js';

export const fleetJobsComplete: Rule = {
  name: 'fleet-jobs-complete',
  description: 'every company’s jobs completed, every item of each job updated as successful, nothing of another company touched',
  judge(context) {
    const { world } = context.sim;
    const problems: { seq?: number; problem: string }[] = [];
    for (const [alias, company] of context.companies) {
      for (const job of world.jobsOf(company.id)) {
        const items = world.itemsOf(job);
        const done = items.filter((item) => item.status === 'successful').length;
        if (job.status !== 'completed') problems.push({ problem: `${alias}: job is ${job.status} (${done}/${items.length} items successful)` });
        else if (done !== items.length) problems.push({ problem: `${alias}: job completed with ${done}/${items.length} items successful` });
      }
    }
    for (const exchange of context.exchanges) if (exchange.attribution.crossCompany) problems.push({ seq: exchange.seq, problem: `${exchange.method} ${exchange.path} addressed another company` });
    return problems.length ? problemsFinding(problems, `${context.companies.size} companies, each job completed with its own items`) : pass(`${context.companies.size} companies, every job completed with exactly its own items`);
  },
};
