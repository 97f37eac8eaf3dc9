// The authorization server's storage: a Map-based oidc-provider adapter, one per simulator, that
// the simulator can inspect (tokens of a grant, grants of a company) and change (expire, revoke).
import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  /** epoch ms, or undefined for no expiry */
  expiresAt?: number;
  /** Revoked entries are kept (invisible to the provider) so that later use can still be attributed. */
  revoked?: boolean;
}

/** A stored token as the simulator sees it, whatever its state. */
export interface PeekedToken {
  readonly payload: AdapterPayload;
  readonly state: 'active' | 'expired' | 'revoked' | 'consumed';
}

/** Token-like models whose values are the ids under which they are stored. */
export type TokenModel = 'AccessToken' | 'RefreshToken' | 'AuthorizationCode';

/** One storage for every model of one provider. */
export class AuthStore {
  readonly #entries = new Map<string, Entry>();
  readonly #byGrant = new Map<string, Set<string>>();
  readonly #byUid = new Map<string, string>();

  /** The adapter class to hand to oidc-provider's `adapter` option. */
  readonly Adapter: new (name: string) => Adapter;

  constructor() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const store = this;
    this.Adapter = class MapAdapter implements Adapter {
      readonly #name: string;
      constructor(name: string) {
        this.#name = name;
      }
      async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
        store.put(this.#name, id, payload, expiresIn);
      }
      async find(id: string): Promise<AdapterPayload | undefined> {
        return store.get(this.#name, id);
      }
      async findByUserCode(): Promise<AdapterPayload | undefined> {
        return undefined;
      }
      async findByUid(uid: string): Promise<AdapterPayload | undefined> {
        const id = store.#byUid.get(uid);
        return id === undefined ? undefined : store.get(this.#name, id);
      }
      async consume(id: string): Promise<void> {
        const entry = store.#entries.get(`${this.#name}:${id}`);
        if (entry) entry.payload = { ...entry.payload, consumed: Math.floor(Date.now() / 1000) };
      }
      async destroy(id: string): Promise<void> {
        const entry = store.#entries.get(`${this.#name}:${id}`);
        if (!entry) return;
        if (isTokenModel(this.#name)) entry.revoked = true;
        else store.#entries.delete(`${this.#name}:${id}`);
      }
      async revokeByGrantId(grantId: string): Promise<void> {
        store.revokeGrant(grantId);
      }
    };
  }

  put(model: string, id: string, payload: AdapterPayload, expiresIn?: number): void {
    const key = `${model}:${id}`;
    this.#entries.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
    if (payload.grantId) {
      let keys = this.#byGrant.get(payload.grantId);
      if (!keys) this.#byGrant.set(payload.grantId, (keys = new Set()));
      keys.add(key);
    }
    if (payload.uid) this.#byUid.set(payload.uid, id);
  }

  get(model: string, id: string): AdapterPayload | undefined {
    const key = `${model}:${id}`;
    const entry = this.#entries.get(key);
    if (!entry || entry.revoked) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      if (!isTokenModel(model)) this.#entries.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  /** A stored token whatever its state (for attribution of what an integration sent). */
  peek(model: TokenModel, value: string): PeekedToken | undefined {
    const entry = this.#entries.get(`${model}:${value}`);
    if (!entry) return undefined;
    const { payload } = entry;
    const nowSeconds = Math.floor(Date.now() / 1000);
    const grantGone = payload.grantId !== undefined && !this.hasGrant(payload.grantId);
    let state: PeekedToken['state'] = 'active';
    if (entry.revoked || grantGone) state = 'revoked';
    else if (payload.consumed) state = 'consumed';
    else if ((payload.exp !== undefined && payload.exp <= nowSeconds) || (entry.expiresAt !== undefined && entry.expiresAt <= Date.now())) state = 'expired';
    return { payload, state };
  }

  /** Revokes a grant with every token and code issued under it. */
  revokeGrant(grantId: string): void {
    for (const key of this.#byGrant.get(grantId) ?? []) {
      const entry = this.#entries.get(key);
      if (entry) entry.revoked = true;
    }
    this.#entries.delete(`Grant:${grantId}`);
  }

  /** Grant ids of a client for an account (a company), newest last. */
  grantsOf(clientId: string, accountId: string): string[] {
    const ids: string[] = [];
    for (const [key, entry] of this.#entries) {
      if (key.startsWith('Grant:') && !entry.revoked && entry.payload.accountId === accountId && entry.payload.clientId === clientId) {
        ids.push(key.slice('Grant:'.length));
      }
    }
    return ids;
  }

  /** Whether a grant still exists. */
  hasGrant(grantId: string): boolean {
    return this.get('Grant', grantId) !== undefined;
  }

  /** Sets the expiry of every live access token of the given grants to now (the tokens stay known). */
  expireAccessTokens(grantIds: readonly string[]): number {
    const nowSeconds = Math.floor(Date.now() / 1000);
    let count = 0;
    for (const grantId of grantIds) {
      for (const key of this.#byGrant.get(grantId) ?? []) {
        if (!key.startsWith('AccessToken:')) continue;
        const entry = this.#entries.get(key);
        if (!entry || entry.revoked) continue;
        entry.payload = { ...entry.payload, exp: nowSeconds - 1 };
        entry.expiresAt = Date.now() - 1;
        count += 1;
      }
    }
    return count;
  }

  get size(): number {
    return this.#entries.size;
  }
}

function isTokenModel(model: string): model is TokenModel {
  return model === 'AccessToken' || model === 'RefreshToken' || model === 'AuthorizationCode';
}
