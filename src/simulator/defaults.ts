// Every default of the simulator, in one place.

/** Scopes Pleo's authorization server knows (DESIGN.md §4). */
export const PLEO_SCOPES = [
  'export-jobs:read',
  'export-jobs:write',
  'export-items:read',
  'accounts:read',
  'accounts:write',
  'vendors:read',
  'vendors:write',
  'users:read',
  'tag-groups:read',
  'tax-codes:read',
  'companies:read',
] as const;

export type PleoScope = (typeof PLEO_SCOPES)[number];

export const DEFAULTS = {
  host: '127.0.0.1',
  /** Pleo's older docs: access tokens live 15 minutes. */
  accessTokenLifetime: 15 * 60,
  /** Pleo: refresh tokens are valid at least 60 days. */
  refreshTokenLifetime: 60 * 24 * 60 * 60,
  /** Authorization codes are short-lived. */
  authorizationCodeLifetime: 60,
  interactionLifetime: 60 * 60,
  /** Items per export job seeded for a new company. */
  itemsPerJob: 3,
  /** At most this many items in one `PUT /v3/export-jobs/{id}/items`. */
  maxItemsPerUpdate: 100,
  /** Largest request body the simulator reads. */
  maxBodyBytes: 1024 * 1024,
  /** Page size of list endpoints when `limit` is absent, and the largest allowed. */
  defaultPageSize: 50,
  maxPageSize: 1000,
  /** Standard Webhooks: deliveries older than this are stale. */
  webhookToleranceSeconds: 5 * 60,
  clientName: 'Partner integration under test',
} as const;

/** Cookie names of the authorization server, distinct from anything an integration on 127.0.0.1 may set. */
export const COOKIE_NAMES = {
  session: 'pleo_sim_session',
  interaction: 'pleo_sim_interaction',
  resume: 'pleo_sim_interaction_resume',
} as const;
