// The typed model of targets and suites, built from validated YAML (never cast straight from it).

export type Requirement = 'EAP-1' | 'EAP-2' | 'EAP-3' | 'EAP-4' | 'EAP-5' | 'EAP-6' | 'EAP-7';
export type Severity = 'blocker' | 'major' | 'minor';
export type AuthMode = 'oauth2' | 'integrated-api-key';
export type HookName = 'health' | 'connect' | 'callback' | 'sync' | 'disconnect' | 'status' | 'webhook' | 'provision';

export const DEFAULT_HOOKS: Readonly<Record<HookName, string>> = {
  health: '/health',
  connect: '/connect',
  callback: '/oauth/callback',
  sync: '/sync',
  disconnect: '/disconnect',
  status: '/status',
  webhook: '/webhooks/pleo',
  provision: '/provision',
};

/** How long hooks may take to answer, unless the target says otherwise (`timeouts`). */
export const DEFAULT_TIMEOUTS = { hookMs: 15_000, syncMs: 30_000 } as const;

/** Names of the environment variables the harness gives a started integration. */
export const ENV_VARIABLES = ['PORT', 'PLEO_AUTH_URL', 'PLEO_API_URL', 'PLEO_CLIENT_ID', 'PLEO_CLIENT_SECRET', 'PLEO_REDIRECT_URI', 'PLEO_WEBHOOK_SECRET'] as const;
export type EnvVariable = (typeof ENV_VARIABLES)[number];

export interface Waiver {
  readonly check: string;
  readonly owner: string;
  readonly reason: string;
  /** YYYY-MM-DD */
  readonly expires: string;
}

export type Launch =
  | { readonly kind: 'start'; readonly command: readonly string[] | string; readonly cwd: string; readonly env: Readonly<Record<string, string>>; readonly readyTimeoutMs: number }
  | { readonly kind: 'attach'; readonly url: string };

export interface Target {
  /** Path as given (for messages) and its SHA-256. */
  readonly file: string;
  readonly digest: string;
  readonly name: string;
  readonly version: string;
  readonly auth: { readonly mode: AuthMode; readonly exception?: string };
  /** Redirect URI templates (`${PORT}` filled in at start). */
  readonly redirectUris: readonly string[];
  readonly scopes: readonly string[];
  readonly clientName: string;
  /** Hooks the target declares, merged over the defaults; optional hooks absent unless declared or defaulted. */
  readonly hooks: Readonly<Record<HookName, string>>;
  /** Hooks the target declared explicitly (optional hooks apply only when declared). */
  readonly declaredHooks: ReadonlySet<HookName>;
  readonly launch: Launch;
  /** How long hooks may take to answer: sync, and every other hook. */
  readonly timeouts: { readonly hookMs: number; readonly syncMs: number };
  readonly envNames: Readonly<Record<EnvVariable, string>>;
  readonly waivers: readonly Waiver[];
}

export type CompanyRef = string;

export type Step =
  | { readonly kind: 'connect'; readonly company: CompanyRef; readonly decision: 'approve' | 'deny' }
  | { readonly kind: 'onboard'; readonly company: CompanyRef }
  | { readonly kind: 'sync'; readonly company?: CompanyRef; readonly concurrent: number }
  | { readonly kind: 'revoke-consent'; readonly company: CompanyRef }
  | { readonly kind: 'expire-tokens'; readonly company: CompanyRef }
  | { readonly kind: 'token-lifetime'; readonly seconds: number; readonly company?: CompanyRef }
  | {
      readonly kind: 'fault';
      readonly fault: 'rate-limit' | 'server-error' | 'latency';
      readonly company?: CompanyRef;
      readonly endpoint?: string;
      readonly retryAfter?: number;
      readonly times?: number;
      readonly status?: 500 | 502 | 503 | 504;
      readonly count?: number;
      readonly ms?: number;
    }
  | { readonly kind: 'clear-faults' }
  | { readonly kind: 'disconnect'; readonly company: CompanyRef }
  | { readonly kind: 'status'; readonly company: CompanyRef }
  | { readonly kind: 'send-webhook'; readonly company: CompanyRef; readonly delivery: 'valid' | 'forged' | 'unsigned' | 'stale' | 'duplicate' }
  | { readonly kind: 'provision-key'; readonly company: CompanyRef }
  | { readonly kind: 'callback-tamper'; readonly company: CompanyRef; readonly tamper: 'forged-state' | 'missing-state' | 'replayed-code' | 'error' | 'bare' }
  | { readonly kind: 'new-job'; readonly company: CompanyRef; readonly items: number }
  | { readonly kind: 'mark'; readonly name: string }
  | { readonly kind: 'wait-quiet'; readonly ms: number; readonly timeoutMs: number }
  | { readonly kind: 'restart-iut'; readonly api: 'trusted' | 'untrusted' };

/** In steps, `all` stands for every company of the check. */
export const ALL_COMPANIES = 'all';

export type StepKind = Step['kind'];

/** Where something stands in its file, for messages about it. */
export interface SourcePlace {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export interface RequestFilter {
  readonly server?: 'auth' | 'api' | 'untrusted' | 'iut' | 'webhook';
  readonly company?: CompanyRef;
  readonly method?: string;
  readonly path?: string;
  readonly status?: number | string;
  readonly credential?: 'bearer' | 'api-key' | 'basic' | 'none' | 'other';
  readonly origin?: string;
  readonly valid?: boolean;
  readonly crossCompany?: boolean;
  readonly since?: string;
  readonly until?: string;
  readonly body?: Readonly<Record<string, unknown>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly clientAuth?: 'client_secret_basic' | 'client_secret_post' | 'none';
  readonly grantType?: 'authorization_code' | 'refresh_token';
  readonly presented?: 'active' | 'expired' | 'revoked' | 'consumed' | 'unknown';
  readonly delivery?: 'valid' | 'forged' | 'unsigned' | 'stale' | 'duplicate';
}

export type Expectation =
  | {
      /** `requires`: a precondition — when it does not hold, the check is not judged. */
      readonly kind: 'requests' | 'requires';
      readonly filter: RequestFilter;
      readonly min?: number;
      readonly max?: number;
      readonly count?: number;
      readonly place: SourcePlace;
    }
  | { readonly kind: 'rule'; readonly rule: string; readonly with: Readonly<Record<string, unknown>>; readonly place: SourcePlace };

export interface Check {
  readonly id: string;
  readonly title: string;
  readonly requirement: Requirement;
  readonly severity: Severity;
  readonly doc: string;
  readonly modes: readonly AuthMode[];
  readonly companies: readonly CompanyRef[];
  /** Create this many companies (c01…) instead of `companies`; `--companies N` overrides it. */
  readonly fleet?: number;
  /** Optional hooks the check needs: skipped when the target does not declare them. */
  readonly requiresHooks: readonly HookName[];
  readonly steps: readonly Step[];
  readonly expect: readonly Expectation[];
  readonly suite: string;
  readonly place: SourcePlace;
}

export interface Suite {
  readonly file: string;
  readonly digest: string;
  readonly name: string;
  readonly title?: string;
  readonly requirement: Requirement;
  readonly checks: readonly Check[];
}
