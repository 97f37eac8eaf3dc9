// The API server: one table of routes with the scope each needs, then authentication, faults and
// dispatch. Every answer, including errors, has Pleo's shape.
import type { Faults } from '../faults.js';
import type { SimHandler, SimRequest } from '../http.js';
import { sendJson } from '../http.js';
import { authenticate, type AuthenticateDeps } from './authenticate.js';
import { ApiError, type ApiContext, type ApiDeps } from './context.js';
import { getExportJob, listExportItems, listExportJobs, postExportJobEvent, putExportJobItems } from './export.js';
import {
  activateInstallation,
  createInstallation,
  deleteInstallation,
  getCompany,
  getInstallation,
  introspectSelf,
  updateInstallation,
} from './installations.js';

interface Route {
  readonly method: string;
  /** Path template: `{name}` matches one segment. */
  readonly path: string;
  /** Any one of these scopes is enough; none listed: any authenticated caller. */
  readonly scopes: readonly string[];
  readonly handle: (context: ApiContext) => void;
}

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/v1/introspect', scopes: [], handle: introspectSelf },
  { method: 'GET', path: '/v1/installations/me', scopes: [], handle: getInstallation },
  { method: 'POST', path: '/v1/installations/me', scopes: [], handle: createInstallation },
  { method: 'PUT', path: '/v1/installations/me', scopes: [], handle: updateInstallation },
  { method: 'DELETE', path: '/v1/installations/me', scopes: [], handle: deleteInstallation },
  { method: 'POST', path: '/v1/installations/me:activate', scopes: [], handle: activateInstallation },
  { method: 'GET', path: '/v1/companies/{companyId}', scopes: ['companies:read'], handle: getCompany },
  { method: 'GET', path: '/v3/export-jobs', scopes: ['export-jobs:read'], handle: listExportJobs },
  { method: 'GET', path: '/v3/export-jobs/{jobId}', scopes: ['export-jobs:read'], handle: getExportJob },
  { method: 'GET', path: '/v3/export-jobs/{jobId}/items', scopes: ['export-jobs:read'], handle: listExportItems },
  { method: 'PUT', path: '/v3/export-jobs/{jobId}/items', scopes: ['export-jobs:write'], handle: putExportJobItems },
  { method: 'POST', path: '/v3/export-job-events', scopes: ['export-jobs:write'], handle: postExportJobEvent },
  { method: 'GET', path: '/v3/export-items', scopes: ['export-items:read'], handle: listExportItems },
];

interface CompiledRoute extends Route {
  readonly regex: RegExp;
  readonly names: readonly string[];
}

const COMPILED: readonly CompiledRoute[] = ROUTES.map((route) => {
  const names: string[] = [];
  const source = route.path
    .split(/(\{\w+\})/)
    .map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name) {
        names.push(name);
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { ...route, regex: new RegExp(`^${source}$`), names };
});

function match(method: string, path: string): { route: CompiledRoute; params: Record<string, string> } | 'method' | undefined {
  let pathMatched = false;
  for (const route of COMPILED) {
    const found = route.regex.exec(path);
    if (!found) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => {
      params[name] = decodeURIComponent(found[i + 1]!);
    });
    return { route, params };
  }
  return pathMatched ? 'method' : undefined;
}

/** The company a request names in its path or query (a company id, or a job of a company), if known. */
function namedCompany(request: SimRequest, params: Record<string, string>, deps: ApiDeps): string | undefined {
  const { world } = deps;
  const companyId = params.companyId ?? request.query.get('company_id') ?? undefined;
  if (companyId && world.companies.has(companyId)) return companyId;
  const jobId = params.jobId ?? request.query.get('job_id') ?? undefined;
  return jobId ? world.jobs.get(jobId)?.companyId : undefined;
}

/** The API server's handler. */
export function createApiHandler(deps: ApiDeps & AuthenticateDeps & { faults: Faults }): SimHandler {
  return async (request) => {
    const { res, method, path, attribution } = request;
    let found: ReturnType<typeof match>;
    try {
      found = match(method, path);
    } catch {
      sendJson(res, 400, { type: 'BAD_REQUEST', message: 'The path is not valid.' });
      return;
    }
    if (found && found !== 'method') attribution.endpoint = `${found.route.method} ${found.route.path}`;

    const auth = authenticate(request, deps);
    let company = auth.ok ? auth.principal.companyId : attribution.credential.company;
    if (!auth.ok) {
      // refused before any handler ran: still record which company the request was for, so that
      // another company's (revoked, expired) credential shows as a cross-company attempt
      const named = namedCompany(request, found && found !== 'method' ? found.params : {}, deps);
      if (named) {
        if (company && named !== company) attribution.crossCompany = true;
        company = named;
      }
    }
    attribution.company = company;

    for (const action of deps.faults.decide(method, path, company)) {
      attribution.fault = action.label;
      if (action.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, action.ms));
      else {
        sendJson(res, action.status, action.body, action.headers);
        return;
      }
    }

    if (!auth.ok) {
      const header = auth.error === 'missing' ? 'Bearer realm="pleo"' : 'Bearer realm="pleo", error="invalid_token"';
      const reason = attribution.credential.reason;
      sendJson(
        res,
        401,
        { type: 'UNAUTHORIZED', message: auth.error === 'missing' ? 'Authentication is required.' : reason === 'expired' ? 'JWT is expired.' : 'The credential is not valid.' },
        { 'www-authenticate': header },
      );
      return;
    }
    if (found === undefined) {
      sendJson(res, 404, { type: 'NOT_FOUND', message: `No such endpoint: ${method} ${path}.` });
      return;
    }
    if (found === 'method') {
      sendJson(res, 405, { type: 'METHOD_NOT_ALLOWED', message: `${method} is not allowed on ${path}.` });
      return;
    }
    const { route, params } = found;
    if (route.scopes.length && !route.scopes.some((scope) => auth.principal.scopes.has(scope))) {
      sendJson(
        res,
        403,
        { type: 'INSUFFICIENT_SCOPE', message: `This endpoint needs the scope ${route.scopes.join(' or ')}.` },
        { 'www-authenticate': `Bearer realm="pleo", error="insufficient_scope", scope="${route.scopes.join(' ')}"` },
      );
      return;
    }
    try {
      route.handle({ request, principal: auth.principal, params, deps });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      sendJson(res, error.status, { type: error.type, message: error.message }, error.headers);
    }
  };
}
