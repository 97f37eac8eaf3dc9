// Webhook deliveries signed as Standard Webhooks: `webhook-id`, `webhook-timestamp`,
// `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" keyed with the secret's bytes>`.
// Besides valid deliveries, the simulator can send forged, unsigned, stale and duplicate ones.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { request as undiciRequest, type Dispatcher } from 'undici';
import type { Recorder } from './recorder.js';
import { toRecordedBody } from './recorder.js';
import type { ExportJob, World } from './world.js';

/** What kind of delivery to send. */
export type DeliveryKind = 'valid' | 'forged' | 'unsigned' | 'stale' | 'duplicate';

export const DELIVERY_KINDS: readonly DeliveryKind[] = ['valid', 'forged', 'unsigned', 'stale', 'duplicate'];

export interface SendWebhookOptions {
  /** Company whose export job the event announces (id or alias). */
  company: string;
  kind?: DeliveryKind;
  /** The job to announce; default: the company's newest pending job (created if none). */
  jobId?: string;
  /** For `duplicate`: resend this earlier delivery's id and body. Default: the last valid delivery. */
  of?: WebhookDelivery;
  timeoutMs?: number;
}

export interface WebhookDelivery {
  readonly id: string;
  readonly kind: DeliveryKind;
  readonly timestamp: number;
  readonly body: string;
  readonly status: number;
  readonly responseBody: string;
  /** Set when the delivery could not be made (connection refused, timeout). */
  readonly error?: string;
}

/** Creates a `whsec_…` secret (base64 of 24 random bytes). */
export function createWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** The secret's key bytes: base64 after the `whsec_` prefix. */
export function webhookKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/** `v1,<base64 signature>` for one message. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const signature = createHmac('sha256', webhookKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${signature}`;
}

/** Builds the `v1.export-job.created` event for a job. */
export function exportJobCreatedEvent(job: ExportJob, numberOfItems: number): Record<string, unknown> {
  return {
    eventId: `evt_${randomBytes(12).toString('hex')}`,
    eventType: 'v1.export-job.created',
    data: {
      id: job.id,
      companyId: job.companyId,
      status: job.status,
      numberOfItems,
      createdAt: job.createdAt,
      lastUpdatedAt: job.lastUpdatedAt,
      expiresIn: 3600,
      isInteractive: false,
      vendorBasedBookkeeping: false,
    },
  };
}

function phantomJob(companyId: string): ExportJob {
  const at = new Date().toISOString();
  return { id: randomUUID(), companyId, status: 'pending', createdAt: at, lastUpdatedAt: at, itemIds: [], events: [], itemUpdates: [] };
}

/** Sends webhook deliveries to an integration and records each exchange. */
export class WebhookSender {
  #lastValid: WebhookDelivery | undefined;

  constructor(
    readonly secret: string,
    private readonly world: World,
    private readonly recorder: Recorder,
    private readonly dispatcher: Dispatcher,
    private readonly toleranceSeconds: number,
  ) {}

  async send(url: string, options: SendWebhookOptions): Promise<WebhookDelivery> {
    const kind = options.kind ?? 'valid';
    const company = this.world.requireCompany(options.company);
    let id: string;
    let body: string;
    if (kind === 'duplicate') {
      const previous = options.of ?? this.#lastValid;
      if (!previous) throw new Error('a duplicate delivery needs an earlier valid delivery');
      ({ id, body } = previous);
    } else {
      // only a delivery Pleo would really send creates a job; refused ones announce a job that does not exist
      const job =
        (options.jobId ? this.world.jobs.get(options.jobId) : undefined) ??
        this.world.jobsOf(company.id).filter((candidate) => candidate.status === 'pending').at(-1) ??
        (kind === 'valid' ? this.world.createExportJob(company.id) : phantomJob(company.id));
      id = `msg_${randomBytes(12).toString('base64url')}`;
      body = JSON.stringify(exportJobCreatedEvent(job, job.itemIds.length));
    }
    const now = Math.floor(Date.now() / 1000);
    const timestamp = kind === 'stale' ? now - this.toleranceSeconds - 60 : now;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Pleo-Webhooks/1.0 (eap-conformance simulator)',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
    };
    if (kind === 'forged') headers['webhook-signature'] = signWebhook(createWebhookSecret(), id, timestamp, body);
    else if (kind !== 'unsigned') headers['webhook-signature'] = signWebhook(this.secret, id, timestamp, body);

    const delivery = await this.#deliver(url, kind, id, timestamp, body, headers, company.id, options.timeoutMs ?? 10_000);
    if (kind === 'valid' && delivery.status >= 200 && delivery.status < 300) this.#lastValid = delivery;
    return delivery;
  }

  async #deliver(
    url: string,
    kind: DeliveryKind,
    id: string,
    timestamp: number,
    body: string,
    headers: Record<string, string>,
    companyId: string,
    timeoutMs: number,
  ): Promise<WebhookDelivery> {
    const seq = this.recorder.begin('webhook');
    const startedAt = Date.now();
    const started = performance.now();
    const target = new URL(url);
    let status = 0;
    let responseBody = '';
    let responseHeaders: [string, string][] = [];
    let error: string | undefined;
    try {
      const response = await undiciRequest(url, {
        method: 'POST',
        headers,
        body,
        dispatcher: this.dispatcher,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      status = response.statusCode;
      responseBody = await response.body.text();
      responseHeaders = Object.entries(response.headers).flatMap(([name, value]) => (Array.isArray(value) ? value.map((one) => [name, one] as [string, string]) : [[name, String(value)] as [string, string]]));
    } catch (caught) {
      error = `delivery failed: ${(caught as Error).message}`;
    }
    this.recorder.end({
      seq,
      server: 'webhook',
      startedAt,
      durationMs: performance.now() - started,
      method: 'POST',
      url: `${target.pathname}${target.search}`,
      path: target.pathname,
      request: { headers: Object.entries(headers), ...toRecordedBody(Buffer.from(body)) },
      response: { status, headers: responseHeaders, ...toRecordedBody(Buffer.from(responseBody)) },
      attribution: {
        endpoint: `POST ${target.pathname}`,
        credential: { kind: 'none', valid: true },
        company: companyId,
        crossCompany: false,
        delivery: kind,
        error,
      },
    });
    return { id, kind, timestamp, body, status, responseBody, error };
  }
}
