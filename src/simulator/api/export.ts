// Export API v3: jobs, job events, export items and item updates, with Pleo's status machine.
import type { ExportJob, JobEvent, JobStatus } from '../world.js';
import { ApiError, assertOwnCompany, jsonBody, ok, paginate, queryParam, type ApiContext } from './context.js';

const JOB_STATUSES: readonly JobStatus[] = ['pending', 'in_progress', 'failed', 'completed', 'completed_with_errors'];

/** Legal job transitions: event → the statuses it may leave, and where it leads. */
const TRANSITIONS: Record<JobEvent, { from: readonly JobStatus[]; to: JobStatus }> = {
  started: { from: ['pending'], to: 'in_progress' },
  completed: { from: ['in_progress'], to: 'completed' },
  completed_with_errors: { from: ['in_progress'], to: 'completed_with_errors' },
  failed: { from: ['pending', 'in_progress'], to: 'failed' },
};

function jobView(context: ApiContext, job: ExportJob): Record<string, unknown> {
  const items = context.deps.world.itemsOf(job);
  return {
    id: job.id,
    companyId: job.companyId,
    status: job.status,
    numberOfItems: items.length,
    createdAt: job.createdAt,
    lastUpdatedAt: job.lastUpdatedAt,
    expiresIn: 3600,
    isInteractive: false,
    vendorBasedBookkeeping: false,
    failureReason: job.failureReason ?? null,
  };
}

function findJob(context: ApiContext, jobId: string | undefined): ExportJob {
  const job = jobId ? context.deps.world.jobs.get(jobId) : undefined;
  if (!job) throw new ApiError(404, 'EXPORT_NOT_FOUND', 'Export job not found.');
  assertOwnCompany(context, job.companyId);
  return job;
}

/** GET /v3/export-jobs?company_id=&statuses= */
export function listExportJobs(context: ApiContext): void {
  const companyId = queryParam(context, 'company_id') ?? context.principal.companyId;
  assertOwnCompany(context, companyId);
  const statuses = (queryParam(context, 'statuses') ?? queryParam(context, 'status'))?.split(',').map((status) => status.trim());
  const unknown = statuses?.filter((status) => !JOB_STATUSES.includes(status as JobStatus));
  if (unknown?.length) throw new ApiError(400, 'BAD_REQUEST', `Unknown status: ${unknown.join(', ')}.`);
  const jobs = context.deps.world.jobsOf(companyId).filter((job) => !statuses || statuses.includes(job.status));
  ok(context, 200, paginate(context, jobs.map((job) => jobView(context, job))));
}

/** GET /v3/export-jobs/{jobId} */
export function getExportJob(context: ApiContext): void {
  ok(context, 200, { data: jobView(context, findJob(context, context.params.jobId)) });
}

/** POST /v3/export-job-events {jobId, event, failureReason?} */
export function postExportJobEvent(context: ApiContext): void {
  const body = jsonBody(context);
  const { jobId, event, failureReason } = body;
  if (typeof jobId !== 'string') throw new ApiError(400, 'BAD_REQUEST', '"jobId" must be a string.');
  if (typeof event !== 'string' || !Object.hasOwn(TRANSITIONS, event)) throw new ApiError(400, 'BAD_REQUEST', `"event" must be one of ${Object.keys(TRANSITIONS).join(', ')}.`);
  const job = findJob(context, jobId);
  const transition = TRANSITIONS[event as JobEvent];
  const at = new Date().toISOString();
  if (!transition.from.includes(job.status)) {
    job.events.push({ event, at, accepted: false });
    throw new ApiError(422, 'INVALID_EXPORT_JOB_STATUS_CHANGE', `Cannot apply "${event}" to a job that is ${job.status}.`);
  }
  job.events.push({ event, at, accepted: true });
  job.status = transition.to;
  job.lastUpdatedAt = at;
  if (typeof failureReason === 'string') job.failureReason = failureReason;
  ok(context, 202, { data: jobView(context, job) });
}

/** GET /v3/export-items?job_id=&limit=&after= and GET /v3/export-jobs/{jobId}/items */
export function listExportItems(context: ApiContext): void {
  const jobId = context.params.jobId ?? queryParam(context, 'job_id');
  if (!jobId) throw new ApiError(400, 'BAD_REQUEST', '"job_id" is required.');
  const job = findJob(context, jobId);
  const items = context.deps.world.itemsOf(job).map((item) => ({ ...item.payload, status: item.status }));
  ok(context, 200, paginate(context, items));
}

/** PUT /v3/export-jobs/{jobId}/items {items:[{accountingEntryId, status, externalId?, externalUrl?, failureReason?}]} */
export function putExportJobItems(context: ApiContext): void {
  const job = findJob(context, context.params.jobId);
  const body = jsonBody(context);
  if (!Array.isArray(body.items)) throw new ApiError(400, 'BAD_REQUEST', '"items" must be an array.');
  // an item of another company anywhere in the update: the whole update is refused, nothing changes
  for (const raw of body.items as unknown[]) {
    const id = (raw as Record<string, unknown> | null)?.accountingEntryId;
    const item = typeof id === 'string' ? context.deps.world.items.get(id) : undefined;
    if (item) assertOwnCompany(context, item.companyId);
  }
  const at = new Date().toISOString();
  if (body.items.length > context.deps.maxItemsPerUpdate) {
    job.itemUpdates.push({ at, count: body.items.length, accepted: false });
    throw new ApiError(413, 'EXPORT_JOB_ITEMS_UPDATE_LIMIT', `At most ${context.deps.maxItemsPerUpdate} items per update.`);
  }
  if (job.status !== 'in_progress') {
    job.itemUpdates.push({ at, count: body.items.length, accepted: false });
    throw new ApiError(422, 'EXPORT_JOB_STATUS_UNPROCESSABLE', `Items of a job that is ${job.status} cannot be updated; send "started" first.`);
  }
  const data: Record<string, unknown>[] = [];
  const errors: Record<string, unknown>[] = [];
  for (const raw of body.items as unknown[]) {
    const update = (raw ?? {}) as Record<string, unknown>;
    const id = update.accountingEntryId;
    const item = typeof id === 'string' ? context.deps.world.items.get(id) : undefined;
    if (!item || item.jobId !== job.id) {
      errors.push({ accountingEntryId: id ?? null, type: 'EXPORT_ITEM_NOT_FOUND', message: 'No such item in this job.' });
      continue;
    }
    if (update.status !== 'successful' && update.status !== 'failed') {
      errors.push({ accountingEntryId: id, type: 'INVALID_STATUS', message: '"status" must be successful or failed.' });
      continue;
    }
    item.status = update.status;
    if (typeof update.externalId === 'string') item.externalId = update.externalId;
    if (typeof update.externalUrl === 'string') item.externalUrl = update.externalUrl;
    if (typeof update.failureReason === 'string') item.failureReason = update.failureReason;
    data.push({ accountingEntryId: item.accountingEntryId, status: item.status, externalId: item.externalId ?? null, externalUrl: item.externalUrl ?? null });
  }
  job.itemUpdates.push({ at, count: body.items.length, accepted: true });
  job.lastUpdatedAt = at;
  ok(context, 200, { data, errors });
}
