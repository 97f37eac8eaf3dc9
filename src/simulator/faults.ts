// Faults the runner switches on, each scoped to a company and an endpoint: rate limiting with
// Retry-After, bursts of 5xx, and latency. (Revocation, token expiry and lifetimes act on the
// authorization server's state and live in the simulator handle.)

/** `GET /v3/export-jobs*`, `/oauth/token`, `*`: optional method, then a path where `*` matches anything. */
export type EndpointPattern = string;

interface FaultScope {
  /** Company id the fault applies to; absent: every company (and requests of no company). */
  company?: string;
  /** Endpoint pattern; absent: every endpoint. */
  endpoint?: EndpointPattern;
}

/** Answer 429 with `Retry-After`, then keep answering 429 until that time has passed. */
export interface RateLimitFault extends FaultScope {
  kind: 'rate-limit';
  /** Seconds announced in `Retry-After`. */
  retryAfter: number;
  /** How many times the limit trips (each opens a new window). Default 1. */
  times?: number;
}

/** Answer the next `count` matching requests with a 5xx. */
export interface ServerErrorFault extends FaultScope {
  kind: 'server-error';
  status?: 500 | 502 | 503 | 504;
  count: number;
}

/** Delay matching requests. */
export interface LatencyFault extends FaultScope {
  kind: 'latency';
  ms: number;
  /** How many requests; default: all until cleared. */
  count?: number;
}

export type FaultSpec = RateLimitFault | ServerErrorFault | LatencyFault;

/** What a fault decided for one request. */
export type FaultAction =
  | { kind: 'respond'; status: number; headers: Record<string, string>; body: { type: string; message: string }; label: string }
  | { kind: 'delay'; ms: number; label: string };

interface ActiveFault {
  readonly id: number;
  readonly spec: FaultSpec;
  readonly matcher: (method: string, path: string) => boolean;
  used: number;
  /** For rate limits: epoch ms until which requests are refused. */
  windowUntil: number;
}

/** The faults switched on in one simulator. */
export class Faults {
  readonly #active = new Map<number, ActiveFault>();
  #nextId = 1;

  /** Switches a fault on; returns its id for `clear`. */
  add(spec: FaultSpec): number {
    validate(spec);
    const id = this.#nextId++;
    this.#active.set(id, { id, spec, matcher: toMatcher(spec.endpoint), used: 0, windowUntil: 0 });
    return id;
  }

  /** Switches one fault off, or every fault. */
  clear(id?: number): void {
    if (id === undefined) this.#active.clear();
    else this.#active.delete(id);
  }

  get active(): FaultSpec[] {
    return [...this.#active.values()].map((fault) => fault.spec);
  }

  /**
   * The actions for a request of `company` to `method path`, in order: delays first, then at most
   * one response. Counts are used up here.
   */
  decide(method: string, path: string, company: string | undefined): FaultAction[] {
    const actions: FaultAction[] = [];
    let responded = false;
    const now = Date.now();
    for (const fault of this.#active.values()) {
      const { spec } = fault;
      if (spec.company !== undefined && spec.company !== company) continue;
      if (!fault.matcher(method, path)) continue;
      switch (spec.kind) {
        case 'latency':
          if (spec.count !== undefined && fault.used >= spec.count) break;
          fault.used += 1;
          actions.push({ kind: 'delay', ms: spec.ms, label: `latency ${spec.ms}ms` });
          break;
        case 'rate-limit': {
          if (responded) break;
          if (now < fault.windowUntil) {
            const left = Math.max(1, Math.ceil((fault.windowUntil - now) / 1000));
            actions.push(tooManyRequests(left, 'rate-limit (inside Retry-After window)'));
            responded = true;
            break;
          }
          if (fault.used >= (spec.times ?? 1)) break;
          fault.used += 1;
          fault.windowUntil = now + spec.retryAfter * 1000;
          actions.push(tooManyRequests(spec.retryAfter, 'rate-limit'));
          responded = true;
          break;
        }
        case 'server-error': {
          if (responded || fault.used >= spec.count) break;
          fault.used += 1;
          const status = spec.status ?? 503;
          actions.push({
            kind: 'respond',
            status,
            headers: {},
            body: { type: status === 503 ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_SERVER_ERROR', message: 'Simulated server error.' },
            label: `server-error ${status} (${fault.used}/${spec.count})`,
          });
          responded = true;
          break;
        }
        default:
          assertNever(spec);
      }
    }
    return actions;
  }
}

function tooManyRequests(seconds: number, label: string): FaultAction {
  return {
    kind: 'respond',
    status: 429,
    headers: { 'retry-after': String(seconds) },
    body: { type: 'TOO_MANY_REQUESTS', message: `Rate limit exceeded. Retry after ${seconds} seconds.` },
    label,
  };
}

function validate(spec: FaultSpec): void {
  switch (spec.kind) {
    case 'rate-limit':
      if (!(spec.retryAfter > 0)) throw new Error('"retryAfter" must be a positive number of seconds');
      return;
    case 'server-error':
      if (!(spec.count > 0)) throw new Error('"count" must be a positive number');
      return;
    case 'latency':
      if (!(spec.ms >= 0)) throw new Error('"ms" must be zero or more');
      return;
    default:
      assertNever(spec);
  }
}

/** Turns `POST /v3/export-*` into a matcher of method and path. */
export function toMatcher(pattern: EndpointPattern | undefined): (method: string, path: string) => boolean {
  if (pattern === undefined || pattern === '*') return () => true;
  const match = /^(?:([A-Z]+)\s+)?(\S+)$/.exec(pattern.trim());
  if (!match) throw new Error(`endpoint pattern "${pattern}" is not of the form "[METHOD] /path"`);
  const [, method, path] = match;
  const regex = new RegExp(`^${path!.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return (m, p) => (method === undefined || method === m) && regex.test(p);
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
