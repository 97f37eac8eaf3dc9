// The front of every simulator server: reads the body (bounded), captures the response, and hands
// a finished, attributed exchange to the recorder — whatever the handler did, even if it threw.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Attribution, CredentialAttribution, ExchangeServer, Recorder } from './recorder.js';
import { toRecordedBody } from './recorder.js';

/** One request as the simulator's handlers see it. */
export interface SimRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly server: ExchangeServer;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: Buffer;
  /** Filled in by handlers; recorded when the response finishes. */
  readonly attribution: Attribution;
  /** Runs after the response finished, before recording (e.g. to register issued tokens). */
  readonly afterResponse: ((status: number, body: string, headers: [string, string][]) => void)[];
}

export type SimHandler = (request: SimRequest) => Promise<void> | void;

/** Wraps a handler into a node:http request listener that records every exchange. */
export function recordingListener(
  server: ExchangeServer,
  recorder: Recorder,
  handler: SimHandler,
  options: { maxBodyBytes: number },
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const seq = recorder.begin(server);
    const startedAt = Date.now();
    const started = performance.now();
    const chunks: (Buffer | string)[] = [];
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    const keep = (chunk: unknown, encoding?: unknown): void => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      if (typeof chunk === 'string' && (encoding === undefined || encoding === 'utf8' || encoding === 'utf-8' || typeof encoding === 'function')) chunks.push(chunk);
      else chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, encoding as BufferEncoding));
    };
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      keep(chunk, rest[0]);
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      keep(chunk, rest[0]);
      const result = end(chunk, ...rest);
      // record now, not on 'finish': a client may read the response before 'finish' is emitted
      finish();
      return result;
    }) as typeof res.end;

    const rawUrl = req.url ?? '/';
    const parsed = splitTarget(rawUrl);
    const attribution: Attribution = {
      endpoint: `${req.method ?? 'GET'} ${parsed.pathname}`,
      credential: detectCredential(req),
      crossCompany: false,
    };
    const requestHeaders = pairs(req.rawHeaders);
    let requestBody: Buffer = Buffer.alloc(0);
    const after: SimRequest['afterResponse'] = [];
    let finished = false;

    const finish = (): void => {
      if (finished) return;
      finished = true;
      // no response was sent (the connection closed first): status 0, with the reason in `error`
      const status = res.headersSent ? res.statusCode : 0;
      const responseBody =
        chunks.length === 1 && typeof chunks[0] === 'string' ? chunks[0] : Buffer.concat(chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk))).toString('utf8');
      const responseHeaders = responseHeaderPairs(res);
      for (const hook of after) {
        try {
          hook(status, responseBody, responseHeaders);
        } catch (error) {
          attribution.error = `recording failed: ${(error as Error).message}`;
        }
      }
      if (!res.writableEnded && !attribution.error) attribution.error = 'connection closed before the response was complete';
      recorder.end({
        seq,
        server,
        startedAt,
        durationMs: performance.now() - started,
        method: req.method ?? 'GET',
        url: rawUrl,
        path: parsed.pathname,
        request: { headers: requestHeaders, ...toRecordedBody(requestBody) },
        response: { status, headers: responseHeaders, ...toRecordedBody(responseBody) },
        attribution,
      });
    };
    res.on('close', finish);

    void (async () => {
      try {
        requestBody = await readBody(req, options.maxBodyBytes);
      } catch (error) {
        const tooLarge = (error as Error).message === 'too large';
        sendJson(res, tooLarge ? 413 : 400, {
          type: tooLarge ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST',
          message: tooLarge ? `Request body exceeds ${options.maxBodyBytes} bytes.` : 'The request body could not be read.',
        });
        return;
      }
      const request: SimRequest = {
        req,
        res,
        server,
        method: req.method ?? 'GET',
        path: parsed.pathname,
        query: parsed.searchParams,
        body: requestBody,
        attribution,
        afterResponse: after,
      };
      try {
        await handler(request);
      } catch (error) {
        const detail = (error as { error_description?: string }).error_description;
        attribution.error = `simulator fault: ${(error as Error).message}${detail ? ` (${detail})` : ''}`;
        if (!res.headersSent) sendJson(res, 500, { type: 'INTERNAL_SERVER_ERROR', message: 'The simulator failed to handle this request.' });
        else res.end();
      }
    })();
  };
}

const EMPTY = Buffer.alloc(0);

/** Reads a whole request body, refusing more than `limit` bytes. (Events, not async iteration: this is the hot path.) */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new Error('too large'));
  }
  if (req.readableEnded) return Promise.resolve(EMPTY);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limit) {
        req.off('data', onData);
        req.resume();
        reject(new Error('too large'));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 0 ? EMPTY : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received)));
    req.once('error', reject);
    req.once('aborted', () => reject(new Error('aborted')));
  });
}

/** Writes a JSON response (Pleo's content type). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json;charset=UTF-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.setHeader('cache-control', 'no-store');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(text);
}

/** Sends no body (204 and the like). */
export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end();
}

/** Headers that carry a key or token by their name alone. */
const KEY_HEADER = /^(x-)?(api-?key|auth-token|access-token)$/;
/** Without an Authorization header, Pleo-looking headers are taken for an attempt at a credential too. */
const AD_HOC_CREDENTIAL_HEADER = /^(x-)?(api-?key|auth-token|access-token)$|^x-pleo-/;

/** What kind of credential a request carries, before anyone looked the value up. */
export function detectCredential(req: IncomingMessage): CredentialAttribution {
  const adHoc = Object.keys(req.headers).filter((name) => AD_HOC_CREDENTIAL_HEADER.test(name));
  const authorization = req.headers.authorization;
  if (authorization) {
    // a key header next to a valid Authorization is still a credential sent to Pleo (an
    // `x-pleo-request-id` is not)
    const keyHeaders = adHoc.filter((name) => KEY_HEADER.test(name));
    const extra = keyHeaders.length ? { extraHeaders: keyHeaders } : {};
    const scheme = authorization.split(/\s+/, 1)[0]!.toLowerCase();
    if (scheme === 'bearer') return { kind: 'bearer', header: 'authorization', valid: false, ...extra };
    if (scheme === 'basic') return { kind: 'basic', header: 'authorization', valid: false, ...extra };
    return { kind: 'other', header: 'authorization', valid: false, reason: `unsupported scheme "${scheme}"`, ...extra };
  }
  if (adHoc.length) return { kind: 'other', header: adHoc[0], valid: false, reason: `credential in "${adHoc[0]}" header`, ...(adHoc.length > 1 ? { extraHeaders: adHoc.slice(1) } : {}) };
  return { kind: 'none', valid: false };
}

function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!.toLowerCase(), raw[i + 1]!]);
  return out;
}

function responseHeaderPairs(res: ServerResponse): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(res.getHeaders())) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) out.push([name, String(one)]);
  }
  return out;
}

/** Path and query of a request target; origin-form targets without the cost of a full URL parse. */
function splitTarget(raw: string): { pathname: string; searchParams: URLSearchParams } {
  if (raw.startsWith('/') && !raw.startsWith('//') && !/[\\#%\s]|\/\.\.?(\/|\?|$)/.test(raw)) {
    const q = raw.indexOf('?');
    return q < 0 ? { pathname: raw, searchParams: new URLSearchParams() } : { pathname: raw.slice(0, q), searchParams: new URLSearchParams(raw.slice(q + 1)) };
  }
  return safeUrl(raw);
}

function safeUrl(raw: string): URL {
  try {
    // an origin-form target is a path even when it starts with "//": resolved against a base,
    // "//v1/introspect" would become host "v1" and path "/introspect"
    return raw.startsWith('/') ? new URL(`http://simulator.invalid${raw}`) : new URL(raw, 'http://simulator.invalid');
  } catch {
    return new URL('http://simulator.invalid/');
  }
}
