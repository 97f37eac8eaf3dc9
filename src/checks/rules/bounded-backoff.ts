// OPS-02: after 5xx answers, a bounded number of retries of the same request with growing delays.
import type { Exchange } from '../../simulator/recorder.js';
import type { Rule } from '../types.js';
import { apiRequests, pass, problemsFinding, unjudged } from './shared.js';

const MAX_RETRIES = 5;
const MIN_FIRST_DELAY_MS = 100;

export const boundedBackoff: Rule = {
  name: 'bounded-backoff',
  description: `at most ${MAX_RETRIES} retries after a 5xx, the first after ≥${MIN_FIRST_DELAY_MS} ms, each wait longer than the last`,
  judge(context) {
    const requests = apiRequests(context);
    const failures = requests.filter((exchange) => exchange.response.status >= 500);
    if (failures.length === 0) return unjudged('the integration never met a 5xx', 'a 5xx to retry');
    // the run of attempts at the endpoint that failed first: until it succeeds or is abandoned
    const first = failures[0]!;
    const attempts: Exchange[] = [];
    for (const exchange of requests) {
      // the same request: method, URL with its query, and the company it addresses
      if (exchange.seq < first.seq || exchange.method !== first.method || exchange.url !== first.url || exchange.attribution.company !== first.attribution.company) continue;
      attempts.push(exchange);
      if (exchange.response.status < 500) break;
    }
    const problems: { seq: number; problem: string }[] = [];
    const retries = attempts.length - 1;
    if (retries > MAX_RETRIES) problems.push({ seq: attempts[MAX_RETRIES + 1]!.seq, problem: `${retries} retries of ${first.method} ${first.path}` });
    let previous = 0;
    for (let i = 1; i < attempts.length; i += 1) {
      const wait = attempts[i]!.startedAt - (attempts[i - 1]!.startedAt + attempts[i - 1]!.durationMs);
      if (i === 1 && wait < MIN_FIRST_DELAY_MS) problems.push({ seq: attempts[i]!.seq, problem: `first retry after ${Math.round(wait)} ms` });
      else if (i > 1 && wait <= previous) problems.push({ seq: attempts[i]!.seq, problem: `retry ${i} waited ${Math.round(wait)} ms, not longer than ${Math.round(previous)} ms` });
      previous = wait;
    }
    return problems.length
      ? problemsFinding(problems, `≤${MAX_RETRIES} retries with growing delays`)
      : pass(`${retries} retr${retries === 1 ? 'y' : 'ies'} of ${first.method} ${first.path} with growing delays`, attempts.map((a) => a.seq));
  },
};
