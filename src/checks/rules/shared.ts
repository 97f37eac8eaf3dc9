// Helpers several rules share: the authorization requests and token requests of a check.
import type { Exchange } from '../../simulator/recorder.js';
import type { CheckContext } from '../types.js';

export function authorizeRequests(context: CheckContext): { exchange: Exchange; params: URLSearchParams }[] {
  return context.exchanges
    .filter((exchange) => exchange.server === 'auth' && exchange.method === 'GET' && exchange.path === '/oauth/authorize')
    .map((exchange) => ({ exchange, params: new URL(exchange.url, 'http://x').searchParams }));
}

export function tokenRequests(context: CheckContext, grantType?: string): { exchange: Exchange; form: URLSearchParams }[] {
  return context.exchanges
    .filter((exchange) => exchange.server === 'auth' && exchange.method === 'POST' && exchange.path === '/oauth/token')
    .map((exchange) => ({ exchange, form: new URLSearchParams(exchange.request.body) }))
    .filter(({ form }) => grantType === undefined || form.get('grant_type') === grantType);
}
