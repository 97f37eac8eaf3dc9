// OPS-04: Pleo's export protocol — oldest pending job first, one job at a time per company,
// `started` → item updates (≤100 each) → `completed`.
import type { Rule } from '../types.js';
import { apiRequests, pass, problemsFinding } from './shared.js';

const MAX_ITEMS = 100;

export const exportProtocol: Rule = {
  name: 'export-protocol',
  description: 'oldest job first, one at a time, started → items (≤100 per update) → completed',
  judge(context) {
    const { world } = context.sim;
    const problems: { seq?: number; problem: string }[] = [];
    for (const [alias, company] of context.companies) {
      const jobs = world.jobsOf(company.id);
      const order = new Map(jobs.map((job, index) => [job.id, index]));
      let open: string | undefined;
      const startedOrder: number[] = [];
      for (const exchange of apiRequests(context)) {
        if (exchange.attribution.company !== company.id || exchange.response.status === 403) continue;
        let body: { jobId?: string; event?: string; items?: unknown[] } = {};
        try {
          body = JSON.parse(exchange.request.body || '{}') as typeof body;
        } catch {
          /* not JSON */
        }
        if (exchange.method === 'POST' && exchange.path === '/v3/export-job-events' && body.jobId && order.has(body.jobId)) {
          if (body.event === 'started') {
            if (open && open !== body.jobId) problems.push({ seq: exchange.seq, problem: `${alias}: job ${order.get(body.jobId)! + 1} started while job ${order.get(open)! + 1} was in progress` });
            open = body.jobId;
            startedOrder.push(order.get(body.jobId)!);
          } else if (exchange.response.status < 400 && body.jobId === open) open = undefined;
        }
        const put = /^\/v3\/export-jobs\/([^/]+)\/items$/.exec(exchange.path);
        if (exchange.method === 'PUT' && put) {
          const count = Array.isArray(body.items) ? body.items.length : 0;
          if (count > MAX_ITEMS) problems.push({ seq: exchange.seq, problem: `${alias}: ${count} items in one update` });
          if (exchange.response.status === 422) problems.push({ seq: exchange.seq, problem: `${alias}: item update outside started…completed` });
        }
      }
      const sorted = [...startedOrder].sort((a, b) => a - b);
      if (startedOrder.some((value, i) => value !== sorted[i])) problems.push({ problem: `${alias}: jobs started in the order ${startedOrder.map((i) => i + 1).join(', ')}, not oldest first` });
      for (const job of jobs) {
        const items = world.itemsOf(job);
        if (job.status !== 'completed' && job.status !== 'completed_with_errors') problems.push({ problem: `${alias}: job ${order.get(job.id)! + 1} ended ${job.status}` });
        else if (items.some((item) => item.status === 'pending')) problems.push({ problem: `${alias}: job ${order.get(job.id)! + 1} completed with items never updated` });
      }
    }
    return problems.length ? problemsFinding(problems, 'the export protocol, job by job') : pass(`every job of ${context.companies.size} compan${context.companies.size === 1 ? 'y' : 'ies'} exported in order, one at a time`);
  },
};
