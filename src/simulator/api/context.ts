// What an API handler gets: the request, the authenticated caller, and the simulator's parts.
import type { SimRequest } from '../http.js';
import { sendJson } from '../http.js';
import type { World } from '../world.js';
import type { Principal } from './authenticate.js';

export interface ApiDeps {
  readonly world: World;
  /** Revokes every grant of a client for a company (DELETE /v1/installations/me). */
  readonly revokeGrants: (clientId: string, companyId: string) => number;
  readonly applicationName: (clientId: string | undefined) => string;
  readonly maxItemsPerUpdate: number;
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
}

export interface ApiContext {
  readonly request: SimRequest;
  readonly principal: Principal;
  readonly params: Record<string, string>;
  readonly deps: ApiDeps;
}

/** Pleo's error body: `{type, message}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function ok(context: ApiContext, status: number, body: unknown): void {
  sendJson(context.request.res, status, body);
}

/** Parses a JSON body; 415/400 with Pleo's error shape otherwise. */
export function jsonBody(context: ApiContext): Record<string, unknown> {
  const { req, body } = context.request;
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (!type.startsWith('application/json')) throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError(400, 'BAD_REQUEST', 'The request body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ApiError(400, 'BAD_REQUEST', 'The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}

/**
 * Checks that the caller may touch `companyId`, and records the addressed company. Another
 * company's id answers 403 ACCESS_DENIED and marks the exchange as cross-company.
 */
export function assertOwnCompany(context: ApiContext, companyId: string): void {
  const { attribution } = context.request;
  attribution.company = companyId;
  if (companyId !== context.principal.companyId) {
    attribution.crossCompany = true;
    throw new ApiError(403, 'ACCESS_DENIED', 'This credential does not give access to that company.');
  }
}

/** Reads a string query parameter. */
export function queryParam(context: ApiContext, name: string): string | undefined {
  const value = context.request.query.get(name);
  return value === null || value === '' ? undefined : value;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Cursor in Pleo's pattern (`^[A-Z2-7=~]+$`) encoding an offset. */
export function toCursor(offset: number): string {
  let out = '';
  for (const byte of Buffer.from(`o${offset}`)) out += BASE32[byte >> 3]! + BASE32[(byte & 7) << 2]!;
  return out;
}

export function fromCursor(cursor: string): number | undefined {
  if (!/^[A-Z2-7=~]+$/.test(cursor) || cursor.length % 2) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < cursor.length; i += 2) bytes.push((BASE32.indexOf(cursor[i]!) << 3) | (BASE32.indexOf(cursor[i + 1]!) >> 2));
  const match = /^o(\d+)$/.exec(Buffer.from(bytes).toString('latin1'));
  return match ? Number(match[1]) : undefined;
}

/** One page of a list in Pleo's `{data, pagination}` shape, from `limit` and `after`. */
export function paginate<T>(context: ApiContext, all: readonly T[]): { data: T[]; pagination: Record<string, unknown> } {
  const { defaultPageSize, maxPageSize } = context.deps;
  const limitText = queryParam(context, 'limit');
  const limit = limitText === undefined ? defaultPageSize : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) throw new ApiError(400, 'BAD_REQUEST', `"limit" must be an integer from 1 to ${maxPageSize}.`);
  const after = queryParam(context, 'after');
  const offset = after === undefined ? 0 : fromCursor(after);
  if (offset === undefined) throw new ApiError(400, 'BAD_REQUEST', '"after" is not a valid cursor.');
  const data = all.slice(offset, offset + limit);
  const end = offset + data.length;
  return {
    data,
    pagination: {
      currentRequestPagination: { parameters: {}, after: after ?? null, before: null, limit, offset, sortingKeys: [], sortingOrder: [] },
      hasNextPage: end < all.length,
      hasPreviousPage: offset > 0,
      startCursor: toCursor(offset),
      endCursor: toCursor(end),
      total: all.length,
    },
  };
}
