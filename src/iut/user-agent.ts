// A browser-like user agent: a cookie jar, redirects followed one hop at a time, and the consent
// page of the simulated Pleo filled in as a customer's admin would (pick a company, approve or deny).
import { request, type Dispatcher } from 'undici';
import type { Recorder } from '../simulator/recorder.js';
import { recordCall } from './record-call.js';

export interface Hop {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly location?: string;
}

export interface UaResponse {
  readonly url: string;
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export interface ConsentOptions {
  /** Company id or alias to pick on the consent page. */
  company: string;
  decision?: 'approve' | 'deny';
  /** Stop (without requesting it) when a redirect points at a URL for which this returns true. */
  stopAt?: (url: string) => boolean;
  maxHops?: number;
  timeoutMs?: number;
  /** Called with every redirect target before it is followed (or stopped at). */
  onRedirect?: (url: string) => void;
}

export interface ConsentResult {
  readonly hops: Hop[];
  /** The URL the flow stopped at (`stopAt`), or the last URL requested. */
  readonly finalUrl: string;
  /** The last response, unless the flow stopped before requesting `finalUrl`. */
  readonly response?: UaResponse;
  /** Whether the consent page was seen and submitted. */
  readonly consented: boolean;
}

interface Cookie {
  name: string;
  value: string;
  host: string;
  path: string;
  expires?: number;
}

/** Browser-like client with its own cookie jar: one per simulated admin. */
export class UserAgent {
  readonly #cookies: Cookie[] = [];

  /**
   * @param dispatcher for requests (e.g. one trusting the run CA)
   * @param record requests to origins `record.origins` (the integration) are recorded as 'iut' exchanges
   */
  constructor(
    private readonly dispatcher?: Dispatcher,
    private readonly record?: { recorder: Recorder; origins: readonly string[] },
  ) {}

  /** One request, no redirect following; cookies sent and stored. */
  async fetch(url: string, init: { method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<UaResponse> {
    const target = new URL(url);
    const headers: Record<string, string> = { 'user-agent': 'eap-conformance user agent', accept: 'text/html,application/json;q=0.9,*/*;q=0.8', ...init.headers };
    const cookie = this.#cookieHeader(target);
    if (cookie) headers.cookie = cookie;
    const method = init.method ?? 'GET';
    let result: { status: number; headers: Record<string, string | string[] | undefined>; body: string };
    if (this.record?.origins.includes(target.origin)) {
      result = await recordCall(this.record.recorder, {
        method,
        url: target,
        headers,
        body: init.body,
        timeoutMs: init.timeoutMs ?? 10_000,
        dispatcher: this.dispatcher,
        what: `the browser's ${method} ${target.pathname}`,
        endpoint: `${method} ${target.pathname}`,
      });
    } else {
      const response = await request(target, {
        method: method as Dispatcher.HttpMethod,
        headers,
        body: init.body,
        dispatcher: this.dispatcher,
        headersTimeout: init.timeoutMs ?? 10_000,
        bodyTimeout: init.timeoutMs ?? 10_000,
      });
      result = { status: response.statusCode, headers: response.headers, body: await response.body.text() };
    }
    const setCookie = result.headers['set-cookie'];
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) this.#store(target, line);
    return { url: target.href, ...result };
  }

  /**
   * Starts at `startUrl` (the integration's connect hook or an authorize URL) and follows
   * redirects; on the simulator's consent page it picks the company and decides.
   */
  async connect(startUrl: string, options: ConsentOptions): Promise<ConsentResult> {
    const hops: Hop[] = [];
    const maxHops = options.maxHops ?? 12;
    let url = startUrl;
    let method = 'GET';
    let body: string | undefined;
    let consented = false;
    for (let i = 0; i < maxHops; i += 1) {
      const headers: Record<string, string> = body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {};
      const response = await this.fetch(url, { method, body, headers, timeoutMs: options.timeoutMs });
      const location = header(response, 'location');
      hops.push({ method, url, status: response.status, location });
      if (response.status >= 300 && response.status < 400 && location) {
        const next = new URL(location, url).href;
        options.onRedirect?.(next);
        if (options.stopAt?.(next)) return { hops, finalUrl: next, consented };
        url = next;
        method = 'GET';
        body = undefined;
        continue;
      }
      const form = response.status === 200 && !consented ? parseConsentForm(response.body) : undefined;
      if (form) {
        const companyId = form.companies.find((company) => company.id === options.company || company.alias === options.company)?.id;
        if (!companyId && options.decision !== 'deny') throw new Error(`company "${options.company}" is not offered on the consent page`);
        url = new URL(form.action, url).href;
        method = 'POST';
        body = new URLSearchParams({ company: companyId ?? '', decision: options.decision ?? 'approve' }).toString();
        consented = true;
        continue;
      }
      return { hops, finalUrl: url, response, consented };
    }
    throw new Error(`more than ${maxHops} hops starting at ${startUrl}`);
  }

  #cookieHeader(target: URL): string {
    const now = Date.now();
    return this.#cookies
      .filter((cookie) => cookie.host === target.hostname && target.pathname.startsWith(cookie.path) && (cookie.expires === undefined || cookie.expires > now))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  #store(target: URL, line: string): void {
    const [pair, ...attributes] = line.split(';');
    const eq = pair!.indexOf('=');
    if (eq <= 0) return;
    const cookie: Cookie = { name: pair!.slice(0, eq).trim(), value: pair!.slice(eq + 1).trim(), host: target.hostname, path: '/' };
    for (const attribute of attributes) {
      const [key = '', value = ''] = attribute.trim().split('=');
      const name = key.toLowerCase();
      if (name === 'path' && value) cookie.path = value;
      if (name === 'expires') cookie.expires = Date.parse(value);
      if (name === 'max-age') cookie.expires = Date.now() + Number(value) * 1000;
    }
    const index = this.#cookies.findIndex((existing) => existing.name === cookie.name && existing.host === cookie.host && existing.path === cookie.path);
    if (index >= 0) this.#cookies.splice(index, 1);
    if (cookie.expires !== undefined && cookie.expires <= Date.now()) return;
    this.#cookies.push(cookie);
  }
}

function header(response: UaResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The consent form of the simulator's page: its action and the companies offered. */
export function parseConsentForm(html: string): { action: string; companies: { id: string; alias: string }[] } | undefined {
  const form = /<form[^>]*id="consent"[^>]*>/.exec(html) ?? /<form[^>]*action="([^"]+)"[^>]*id="consent"/.exec(html);
  if (!form) return undefined;
  const action = /action="([^"]+)"/.exec(form[0])?.[1];
  if (!action) return undefined;
  const companies = [...html.matchAll(/<input type="radio" name="company" value="([^"]+)" data-alias="([^"]+)"/g)].map((match) => ({
    id: unescapeHtml(match[1]!),
    alias: unescapeHtml(match[2]!),
  }));
  return { action: unescapeHtml(action), companies };
}

function unescapeHtml(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}
