// The named rules, as a table: a new rule is one file plus one row.
import { authorizeRequest } from './rules/authorize-request.js';
import { boundedBackoff } from './rules/bounded-backoff.js';
import { clientSecretNotInApi } from './rules/client-secret-not-in-api.js';
import { connectGoesToAuthorize } from './rules/connect-goes-to-authorize.js';
import { exportProtocol } from './rules/export-protocol.js';
import { fleetJobsComplete } from './rules/fleet-jobs-complete.js';
import { installationBinding } from './rules/installation-binding.js';
import { integratedKeys } from './rules/integrated-keys.js';
import { noCrossCompanyData } from './rules/no-cross-company-data.js';
import { noSecretInIutResponses } from './rules/no-secret-in-iut-responses.js';
import { noSecretInOutput } from './rules/no-secret-in-output.js';
import { noSecretInUrls } from './rules/no-secret-in-urls.js';
import { oauthCredentialsOnly } from './rules/oauth-credentials-only.js';
import { onlyNewestGrant } from './rules/only-newest-grant.js';
import { ownGrantPerCompany } from './rules/own-grant-per-company.js';
import { pkceS256 } from './rules/pkce-s256.js';
import { ratePerCompany } from './rules/rate-per-company.js';
import { respectsRetryAfter } from './rules/respects-retry-after.js';
import { scopesDeclared } from './rules/scopes-declared.js';
import { singleFlightRefresh } from './rules/single-flight-refresh.js';
import { stateQuality } from './rules/state-quality.js';
import { statusSequence } from './rules/status-sequence.js';
import { userAgent } from './rules/user-agent.js';
import type { Rule } from './types.js';

const ALL: readonly Rule[] = [
  authorizeRequest,
  pkceS256,
  stateQuality,
  clientSecretNotInApi,
  scopesDeclared,
  singleFlightRefresh,
  oauthCredentialsOnly,
  integratedKeys,
  connectGoesToAuthorize,
  statusSequence,
  noCrossCompanyData,
  ownGrantPerCompany,
  fleetJobsComplete,
  onlyNewestGrant,
  userAgent,
  installationBinding,
  noSecretInUrls,
  noSecretInIutResponses,
  noSecretInOutput,
  respectsRetryAfter,
  boundedBackoff,
  ratePerCompany,
  exportProtocol,
];

export const RULES: ReadonlyMap<string, Rule> = new Map(ALL.map((rule) => [rule.name, rule]));

export const RULE_NAMES: ReadonlySet<string> = new Set(RULES.keys());
