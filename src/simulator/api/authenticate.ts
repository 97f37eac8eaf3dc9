// Who is calling the API: a Bearer access token from the authorization server, or an API key in
// HTTP Basic (`key:`). Anything else — a refresh token or client secret used as a credential, a
// key in an ad-hoc header, a bearer value the server never minted — is attributed and refused.
import type { SimRequest } from '../http.js';
import type { CredentialAttribution } from '../recorder.js';
import type { SecretRegistry } from '../secrets.js';
import type { AuthStore } from '../store.js';
import type { ApiKey, World } from '../world.js';
import { decodeBasic } from '../auth-server.js';

/** An authenticated caller of the API. */
export interface Principal {
  readonly authMethod: 'OAUTH2' | 'API_KEY';
  readonly companyId: string;
  readonly clientId?: string;
  readonly scopes: ReadonlySet<string>;
  readonly grantId?: string;
  readonly key?: ApiKey;
}

export interface AuthenticateDeps {
  readonly store: AuthStore;
  readonly world: World;
  readonly secrets: SecretRegistry;
  /** Whether a client id/secret pair is registered (to tell a misused client secret apart). */
  readonly isClientSecret: (clientId: string, secret: string) => boolean;
}

export type AuthenticateResult = { ok: true; principal: Principal } | { ok: false; error: 'missing' | 'invalid' };

/** Resolves the request's credential; fills `attribution.credential`. */
export function authenticate(request: SimRequest, deps: AuthenticateDeps): AuthenticateResult {
  const detected = request.attribution.credential;
  const header = request.req.headers.authorization ?? '';
  const set = (credential: CredentialAttribution): void => {
    request.attribution.credential = credential;
  };

  if (detected.kind === 'bearer') {
    const value = header.replace(/^bearer\s+/i, '').trim();
    const peeked = deps.store.peek('AccessToken', value);
    if (!peeked) {
      set({ ...detected, ...identify(value, deps), valid: false });
      return { ok: false, error: 'invalid' };
    }
    const token = peeked.payload;
    const base = {
      ...detected,
      origin: 'access-token' as const,
      label: deps.secrets.lookup(value)?.label,
      company: token.accountId,
      grant: token.grantId,
      clientId: token.clientId,
    };
    const reason = peeked.state !== 'active' ? peeked.state : deps.world.company(token.accountId ?? '') ? undefined : 'unknown company';
    if (reason) {
      set({ ...base, valid: false, reason });
      return { ok: false, error: 'invalid' };
    }
    set({ ...base, valid: true });
    return {
      ok: true,
      principal: {
        authMethod: 'OAUTH2',
        companyId: token.accountId!,
        clientId: token.clientId,
        scopes: new Set((token.scope ?? '').split(' ').filter(Boolean)),
        grantId: token.grantId,
      },
    };
  }

  if (detected.kind === 'basic') {
    const decoded = decodeBasic(header);
    const [user = '', password = ''] = decoded ?? [];
    const key = deps.world.apiKeys.get(user);
    if (key && password === '') {
      const base = {
        ...detected,
        origin: key.kind === 'integrated' ? ('integrated-api-key' as const) : ('standalone-api-key' as const),
        label: deps.secrets.lookup(key.value)?.label,
        company: key.companyId,
        clientId: key.clientId,
      };
      if (key.revoked) {
        set({ ...base, valid: false, reason: 'revoked' });
        return { ok: false, error: 'invalid' };
      }
      set({ ...base, valid: true });
      return { ok: true, principal: { authMethod: 'API_KEY', companyId: key.companyId, clientId: key.clientId, scopes: new Set(key.scopes), key } };
    }
    if (decoded && deps.isClientSecret(user, password)) {
      set({ ...detected, origin: 'client-credentials', clientId: user, label: deps.secrets.lookup(password)?.label, valid: false, reason: 'the client secret is never an API credential' });
      return { ok: false, error: 'invalid' };
    }
    set({ ...detected, ...identify(user, deps), valid: false });
    return { ok: false, error: 'invalid' };
  }

  if (detected.kind === 'other' && detected.header && detected.header !== 'authorization') {
    const value = String(request.req.headers[detected.header] ?? '');
    set({ ...detected, ...identify(value, deps), valid: false, reason: `credential in "${detected.header}" header` });
    return { ok: false, error: 'invalid' };
  }
  if (detected.kind === 'other') return { ok: false, error: 'invalid' };
  return { ok: false, error: 'missing' };
}

/** What an unaccepted value is, as far as the simulator knows (a refresh token, a key, nothing). */
function identify(value: string, deps: AuthenticateDeps): Partial<CredentialAttribution> & { reason: string } {
  const refresh = deps.store.peek('RefreshToken', value)?.payload;
  if (refresh) return { origin: 'refresh-token', label: deps.secrets.lookup(value)?.label, company: refresh.accountId, grant: refresh.grantId, reason: 'a refresh token is not an access token' };
  const key = deps.world.apiKeys.get(value);
  if (key) {
    return {
      origin: key.kind === 'integrated' ? 'integrated-api-key' : 'standalone-api-key',
      label: deps.secrets.lookup(value)?.label,
      company: key.companyId,
      reason: 'API keys go in HTTP Basic as "key:"',
    };
  }
  const known = deps.secrets.lookup(value);
  if (known?.kind === 'client-secret') return { origin: 'client-secret', label: known.label, reason: 'the client secret is never an API credential' };
  if (known) return { origin: 'unknown', label: known.label, reason: `a ${known.kind} is not an API credential` };
  return { origin: 'unknown', reason: value ? 'not issued by this Pleo environment' : 'empty credential' };
}
