// OAUTH-03: `state` present on every authorization request, unguessable (≥ 128 bits) and unique per flow (RFC 6749 §10.12).
import type { Rule } from '../types.js';
import { authorizeRequests, pass, problemsFinding, unjudged } from './shared.js';

/** Bits of entropy a random string of this alphabet and length can carry. */
export function stateBits(state: string): number {
  // narrowest alphabet first: digits are hex too, and hex is base64url too
  const alphabet = /^[0-9]+$/.test(state) ? 10 : /^[0-9a-f]+$/i.test(state) ? 16 : /^[A-Za-z0-9_-]+$/.test(state) ? 64 : Math.max(2, new Set(state).size);
  return Math.floor(state.length * Math.log2(alphabet));
}

export const stateQuality: Rule = {
  name: 'state-quality',
  description: 'every authorization request carries a state of at least 128 bits, different on every flow',
  judge(context) {
    const flows = authorizeRequests(context);
    if (flows.length < 2) return unjudged(`only ${flows.length} authorization request(s) to compare`, 'two or more flows');
    const problems: { seq: number; problem: string }[] = [];
    const seen = new Map<string, number>();
    for (const { exchange, params } of flows) {
      const state = params.get('state');
      if (!state) {
        problems.push({ seq: exchange.seq, problem: 'no state' });
        continue;
      }
      const bits = stateBits(state);
      if (bits < 128) problems.push({ seq: exchange.seq, problem: `state of about ${bits} bits ("${state.length > 12 ? `${state.slice(0, 12)}…` : state}")` });
      const earlier = seen.get(state);
      if (earlier !== undefined) problems.push({ seq: exchange.seq, problem: `state reused from #${earlier}` });
      else seen.set(state, exchange.seq);
    }
    return problems.length ? problemsFinding(problems, 'a fresh state of ≥128 bits per flow') : pass(`${flows.length} flows with fresh states of ≥128 bits`, flows.map((f) => f.exchange.seq));
  },
};
