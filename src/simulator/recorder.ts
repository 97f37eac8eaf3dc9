// Every exchange that reaches the simulator, and every call the harness makes to the integration,
// with timing, raw headers and bodies, and attribution. Values of secrets stay in memory; `toJSON`
// and `serialize` give the redacted form.
import type { SecretRegistry } from './secrets.js';

/** Which server or direction an exchange belongs to. */
export type ExchangeServer = 'auth' | 'api' | 'untrusted' | 'iut' | 'webhook';

/** How a request authenticated itself. */
export type CredentialKind = 'bearer' | 'api-key' | 'basic' | 'none' | 'other';

/** What the presented credential turned out to be. */
export type CredentialOrigin =
  | 'access-token'
  | 'refresh-token'
  | 'integrated-api-key'
  | 'standalone-api-key'
  | 'client-credentials'
  | 'client-secret'
  | 'unknown';

export interface CredentialAttribution {
  readonly kind: CredentialKind;
  /** The header it came in (`authorization`, `x-api-key`, …); absent for `none`. */
  readonly header?: string;
  /** What the value is, as far as the simulator knows. */
  readonly origin?: CredentialOrigin;
  /** Stable label of the value (`access-token#3 acme`); never the value. */
  readonly label?: string;
  /** Company id the credential belongs to. */
  readonly company?: string;
  /** Grant id (OAuth) the credential was issued under. */
  readonly grant?: string;
  /** The client (integration) the credential was issued to. */
  readonly clientId?: string;
  /** Whether the simulator accepted it. */
  readonly valid: boolean;
  /** Why not, when not valid: `expired`, `revoked`, `unknown`, `wrong-kind`, … */
  readonly reason?: string;
  /** Ad-hoc credential headers (`x-api-key`, …) sent besides the one judged here. */
  readonly extraHeaders?: readonly string[];
}

export interface Attribution {
  /** `GET /v3/export-jobs` — the route template the request matched, or the raw path. */
  endpoint: string;
  credential: CredentialAttribution;
  /** The company the request addressed (query, body, or the resource's owner), if any. */
  company?: string;
  /** The credential's company differs from the addressed company. */
  crossCompany: boolean;
  /** Client authentication at the token or introspection endpoint. */
  clientAuth?: 'client_secret_basic' | 'client_secret_post' | 'none';
  /** For token requests: `authorization_code` or `refresh_token`. */
  grantType?: string;
  /** For token requests: the code or refresh token presented, and its state at that moment. */
  presented?: { kind: 'authorization-code' | 'refresh-token'; label?: string; state: 'active' | 'expired' | 'revoked' | 'consumed' | 'unknown'; grant?: string };
  /** A fault the simulator applied to this exchange. */
  fault?: string;
  /** For webhook deliveries: valid, forged, unsigned, stale or duplicate. */
  delivery?: string;
  /** The harness could not complete the exchange (connection refused, timeout, …). */
  error?: string;
}

export interface RecordedMessage {
  /** Raw header pairs in arrival order (names lower-cased). */
  headers: [string, string][];
  body: string;
  /** The body was longer than the recorder keeps. */
  truncated?: boolean;
}

export interface Exchange {
  readonly seq: number;
  readonly server: ExchangeServer;
  /** epoch ms */
  readonly startedAt: number;
  durationMs: number;
  readonly method: string;
  /** Path and query as sent. */
  readonly url: string;
  readonly path: string;
  readonly request: RecordedMessage;
  response: RecordedMessage & { status: number };
  attribution: Attribution;
}

/** A named point in the recorded traffic (`since: settled`). */
export interface Mark {
  readonly name: string;
  /** The seq the next exchange will get. */
  readonly seq: number;
  readonly at: number;
}

const MAX_BODY = 256 * 1024;

/** Options of `waitQuiet`. */
export interface WaitQuietOptions {
  /** How long no exchange may start or be in flight. Default 300 ms. */
  quietMs?: number;
  /** Give up after this long. Default 10 s. */
  timeoutMs?: number;
  /** Only count exchanges on these servers. Default: the simulator's (auth, api, untrusted). */
  servers?: readonly ExchangeServer[];
  /**
   * First wait up to this long for some exchange to start (work triggered in the background may
   * not have begun yet), then for quiet. No activity in that time is fine: it resolves true.
   */
  activityWithinMs?: number;
}

/** The recorder of one simulator. */
export class Recorder {
  readonly #exchanges: Exchange[] = [];
  readonly #marks = new Map<string, Mark>();
  readonly #inFlight = new Map<ExchangeServer, number>();
  readonly #lastActivity = new Map<ExchangeServer, number>();
  readonly #listeners = new Set<(exchange: Exchange) => void>();
  #seq = 0;

  constructor(readonly secrets: SecretRegistry) {}

  /** Called when an exchange starts; returns its seq. */
  begin(server: ExchangeServer): number {
    this.#inFlight.set(server, (this.#inFlight.get(server) ?? 0) + 1);
    this.#lastActivity.set(server, Date.now());
    this.#seq += 1;
    return this.#seq;
  }

  /** Stores a finished exchange started with `begin`. */
  end(exchange: Exchange): void {
    this.#inFlight.set(exchange.server, Math.max(0, (this.#inFlight.get(exchange.server) ?? 1) - 1));
    this.#lastActivity.set(exchange.server, Date.now());
    this.#exchanges.push(exchange);
    for (const listener of this.#listeners) listener(exchange);
  }

  /** Records a point in time (`mark: settled`); later filters can use `since`/`until`. */
  mark(name: string): Mark {
    const mark: Mark = { name, seq: this.#seq + 1, at: Date.now() };
    this.#marks.set(name, mark);
    return mark;
  }

  getMark(name: string): Mark | undefined {
    return this.#marks.get(name);
  }

  get marks(): Mark[] {
    return [...this.#marks.values()];
  }

  /** Exchanges in seq order, optionally filtered. */
  exchanges(filter?: (exchange: Exchange) => boolean): Exchange[] {
    const sorted = [...this.#exchanges].sort((a, b) => a.seq - b.seq);
    return filter ? sorted.filter(filter) : sorted;
  }

  get size(): number {
    return this.#exchanges.length;
  }

  /** Calls `listener` for every finished exchange; returns an unsubscribe function. */
  onExchange(listener: (exchange: Exchange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Resolves once no exchange has started or been in flight for `quietMs` — how the harness waits
   * for an integration that works in the background, without long sleeps. Resolves `false` on timeout.
   */
  async waitQuiet(options: WaitQuietOptions = {}): Promise<boolean> {
    const quietMs = options.quietMs ?? 300;
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    const servers = options.servers ?? ['auth', 'api', 'untrusted'];
    if (options.activityWithinMs) {
      const since = Date.now();
      const seen = (): boolean => servers.some((server) => (this.#lastActivity.get(server) ?? 0) >= since || (this.#inFlight.get(server) ?? 0) > 0);
      const until = Math.min(deadline, since + options.activityWithinMs);
      while (!seen() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (;;) {
      const busy = servers.some((server) => (this.#inFlight.get(server) ?? 0) > 0);
      const last = Math.max(0, ...servers.map((server) => this.#lastActivity.get(server) ?? 0));
      const quietFor = Date.now() - last;
      if (!busy && quietFor >= quietMs) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.max(10, Math.min(quietMs - quietFor, deadline - Date.now(), 100))));
    }
  }

  /** The redacted, JSON-ready form of every exchange. */
  serialize(filter?: (exchange: Exchange) => boolean): SerializedExchange[] {
    return this.exchanges(filter).map((exchange) => redactExchange(exchange, this.secrets));
  }

  toJSON(): { exchanges: SerializedExchange[]; marks: Mark[] } {
    return { exchanges: this.serialize(), marks: this.marks };
  }
}

/** An exchange as it may leave the process: every secret replaced by its label. */
export type SerializedExchange = Exchange;

/** Redacts one exchange (headers, url, bodies); Basic credentials are decoded and redacted too. */
export function redactExchange(exchange: Exchange, secrets: SecretRegistry): SerializedExchange {
  const redactMessage = <T extends RecordedMessage>(message: T): T => ({
    ...message,
    headers: message.headers.map(([name, value]) => [name, redactHeader(name, value, secrets)] as [string, string]),
    body: secrets.redact(message.body),
  });
  return {
    ...exchange,
    url: secrets.redact(exchange.url),
    path: secrets.redact(exchange.path),
    request: redactMessage(exchange.request),
    response: redactMessage(exchange.response),
  };
}

function redactHeader(name: string, value: string, secrets: SecretRegistry): string {
  const basic = /^basic\s+(\S+)$/i.exec(value);
  if ((name === 'authorization' || name === 'proxy-authorization') && basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const parts = decoded.split(':').map((part) => safeDecode(part));
    const redacted = parts.map((part) => secrets.redact(part));
    if (redacted.some((part, i) => part !== parts[i])) return `Basic ‹${redacted.join(':')}›`;
  }
  return secrets.redact(value);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Cuts a body to what the recorder keeps. */
export function toRecordedBody(body: Buffer | string): { body: string; truncated?: boolean } {
  if (typeof body === 'string') return body.length <= MAX_BODY ? { body } : { body: cutBeforeToken(body.slice(0, MAX_BODY)), truncated: true };
  if (body.length <= MAX_BODY) return { body: body.toString('utf8') };
  return { body: cutBeforeToken(body.subarray(0, MAX_BODY).toString('utf8')), truncated: true };
}

/**
 * A cut text ends before the token-like run it would split: half a secret is no longer recognised
 * by redaction, so the cut must not leave one behind.
 */
function cutBeforeToken(text: string): string {
  // secrets are shorter than this; a longer run (a base64 file, say) is cut where it is
  const limit = Math.max(0, text.length - 2048);
  let end = text.length;
  while (end > limit && TOKEN_CHAR.test(text[end - 1]!)) end -= 1;
  return end === limit ? text : text.slice(0, end);
}

const TOKEN_CHAR = /[A-Za-z0-9._~+/=%-]/;
