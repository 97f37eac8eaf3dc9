// App Marketplace API: the caller's installation, activation, and DELETE (which revokes access),
// plus the caller's own identity (`/v1/introspect`) and its company.
import type { Installation, InstallationStatus } from '../world.js';
import { ApiError, assertOwnCompany, jsonBody, ok, queryParam, type ApiContext } from './context.js';

const STATUSES: readonly InstallationStatus[] = ['AUTHORIZED', 'PENDING_INTEGRATION', 'ACTIVATED', 'INACTIVE', 'ERROR'];

function view(installation: Installation): Record<string, unknown> {
  return {
    id: installation.id,
    applicationId: installation.applicationId,
    resource: `urn:pleo:company:${installation.companyId}`,
    status: installation.status,
    metadata: installation.metadata,
    errorCode: installation.errorCode ?? null,
    createdAt: installation.createdAt,
    updatedAt: installation.updatedAt,
  };
}

function applicationId(context: ApiContext): string {
  const { principal } = context;
  // a standalone key belongs to no integration: its installations are keyed by the key itself
  return principal.clientId ?? `api-key:${principal.key?.value.slice(-6) ?? 'unknown'}`;
}

function addressed(context: ApiContext): string {
  const companyId = queryParam(context, 'company_id') ?? context.principal.companyId;
  assertOwnCompany(context, companyId);
  return companyId;
}

function current(context: ApiContext): Installation {
  const installation = context.deps.world.installation(applicationId(context), addressed(context));
  if (!installation) throw new ApiError(404, 'INSTALLATION_NOT_FOUND', 'No installation for this client and company.');
  return installation;
}

/** GET /v1/installations/me */
export function getInstallation(context: ApiContext): void {
  ok(context, 200, { data: view(current(context)) });
}

/** POST /v1/installations/me — with API keys the integration creates the installation itself. */
export function createInstallation(context: ApiContext): void {
  const companyId = addressed(context);
  const existing = context.deps.world.installation(applicationId(context), companyId);
  if (existing) throw new ApiError(409, 'INSTALLATION_ALREADY_EXISTS', 'The installation exists already.');
  const installation = context.deps.world.install(applicationId(context), companyId, 'ACTIVATED');
  ok(context, 201, { data: view(installation) });
}

/** PUT /v1/installations/me {status?, metadata?, errorCode?} */
export function updateInstallation(context: ApiContext): void {
  const installation = current(context);
  const body = jsonBody(context);
  if (body.status !== undefined) {
    if (!STATUSES.includes(body.status as InstallationStatus)) throw new ApiError(400, 'BAD_REQUEST', `"status" must be one of ${STATUSES.join(', ')}.`);
    installation.status = body.status as InstallationStatus;
  }
  if (body.metadata !== undefined) {
    if (body.metadata === null || typeof body.metadata !== 'object' || Array.isArray(body.metadata)) throw new ApiError(400, 'BAD_REQUEST', '"metadata" must be an object.');
    installation.metadata = body.metadata as Record<string, unknown>;
  }
  if (body.errorCode !== undefined) {
    // String() of a JSON object may throw ({"toString": 1}): objects and arrays are refused
    if (body.errorCode !== null && typeof body.errorCode === 'object') throw new ApiError(400, 'BAD_REQUEST', '"errorCode" must be a string.');
    installation.errorCode = String(body.errorCode);
  }
  installation.updatedAt = new Date().toISOString();
  ok(context, 200, { data: view(installation) });
}

/** POST /v1/installations/me:activate */
export function activateInstallation(context: ApiContext): void {
  const installation = current(context);
  installation.status = 'ACTIVATED';
  installation.updatedAt = new Date().toISOString();
  ok(context, 200, { data: view(installation) });
}

/** DELETE /v1/installations/me — removes the installation and revokes all the client's tokens for the company. */
export function deleteInstallation(context: ApiContext): void {
  const companyId = addressed(context);
  const appId = applicationId(context);
  const removed = context.deps.world.uninstall(appId, companyId);
  let revoked = 0;
  if (context.principal.clientId) revoked = context.deps.revokeGrants(context.principal.clientId, companyId);
  if (context.principal.key?.kind === 'integrated') {
    context.principal.key.revoked = true;
    revoked += 1;
  }
  if (!removed && revoked === 0) throw new ApiError(404, 'INSTALLATION_NOT_FOUND', 'No installation for this client and company.');
  context.request.res.statusCode = 204;
  context.request.res.end();
}

/** GET /v1/introspect */
export function introspectSelf(context: ApiContext): void {
  const { principal } = context;
  ok(context, 200, {
    data: {
      authMethod: principal.authMethod,
      clientId: principal.clientId ?? null,
      scope: [...principal.scopes].join(' '),
      applicationName: context.deps.applicationName(principal.clientId),
      subjectURN: `urn:pleo:company:${principal.companyId}`,
    },
  });
  context.request.attribution.company = principal.companyId;
}

/** GET /v1/companies/{companyId} */
export function getCompany(context: ApiContext): void {
  const companyId = context.params.companyId!;
  const company = context.deps.world.company(companyId);
  if (!company || company.id !== companyId) throw new ApiError(404, 'COMPANY_NOT_FOUND', 'Company not found.');
  assertOwnCompany(context, company.id);
  ok(context, 200, {
    data: {
      id: company.id,
      name: company.name,
      organizationId: company.organizationId,
      registrationNumber: company.registrationNumber,
      address: { addressLine1: 'Ravnsborggade 2', postalCode: '2200', locality: 'København N', country: 'DK' },
    },
  });
}
