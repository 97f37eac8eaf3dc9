// One request from the harness (a hook call, or the browser) to the integration, recorded as an
// exchange of server 'iut'. A network failure is recorded and thrown as a HarnessFault.
import { performance } from 'node:perf_hooks';
import { request, type Dispatcher } from 'undici';
import type { Recorder } from '../simulator/recorder.js';
import { toRecordedBody } from '../simulator/recorder.js';
import { HarnessFault } from './harness-fault.js';

export interface HookResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One recorded request from the harness to the integration. */
export async function recordCall(
  recorder: Recorder,
  init: {
    method: string;
    url: URL;
    headers: Record<string, string>;
    body?: string;
    timeoutMs: number;
    dispatcher?: Dispatcher;
    /** `the sync hook`, `the browser` — for messages. */
    what: string;
    /** `POST sync`, `GET /connect` — the recorded endpoint. */
    endpoint: string;
    exitReason?: () => string | undefined;
  },
): Promise<HookResponse> {
  const seq = recorder.begin('iut');
  const startedAt = Date.now();
  const started = performance.now();
  let status = 0;
  let headers: Record<string, string | string[] | undefined> = {};
  let body = '';
  let error: string | undefined;
  try {
    const response = await request(init.url, {
      method: init.method as Dispatcher.HttpMethod,
      headers: init.headers,
      body: init.body,
      dispatcher: init.dispatcher,
      headersTimeout: init.timeoutMs,
      bodyTimeout: init.timeoutMs,
    });
    status = response.statusCode;
    headers = response.headers;
    body = await response.body.text();
  } catch (caught) {
    const reason = init.exitReason?.();
    const code = (caught as { code?: string }).code;
    const timedOut = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
    error = reason ? `${reason} (during ${init.what})` : timedOut ? `${init.what} did not answer within ${init.timeoutMs} ms` : `${init.what} failed: ${(caught as Error).message}`;
  }
  recorder.end({
    seq,
    server: 'iut',
    startedAt,
    durationMs: performance.now() - started,
    method: init.method,
    url: `${init.url.pathname}${init.url.search}`,
    path: init.url.pathname,
    request: { headers: Object.entries(init.headers), ...toRecordedBody(Buffer.from(init.body ?? '')) },
    response: {
      status,
      headers: Object.entries(headers).flatMap(([name, value]) => (value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((one) => [name, String(one)] as [string, string]))),
      ...toRecordedBody(Buffer.from(body)),
    },
    attribution: { endpoint: init.endpoint, credential: { kind: 'none', valid: true }, crossCompany: false, error },
  });
  if (error) throw new HarnessFault(error);
  return { status, headers, body };
}
