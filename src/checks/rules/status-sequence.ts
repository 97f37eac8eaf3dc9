// REV-04: the integration's status hook shows what the customer did — `with: {company, expect: [true, false]}`.
import type { Rule } from '../types.js';
import { pass, problemsFinding } from './shared.js';

export const statusSequence: Rule = {
  name: 'status-sequence',
  description: 'the status hook reported the expected `connected` values in order',
  judge(context, params) {
    const company = String(params.company);
    const expected = (params.expect as unknown[] | undefined) ?? [];
    const actual = context.statuses.get(company) ?? [];
    const ok = actual.length === expected.length && actual.every((value, i) => value === expected[i]);
    return ok
      ? pass(`status of ${company}: ${JSON.stringify(actual)}`)
      : problemsFinding([{ problem: `status of ${company} said ${JSON.stringify(actual)}` }], `connected ${JSON.stringify(expected)}`);
  },
};
