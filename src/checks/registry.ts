// The named rules, as a table: a new rule is one file plus one row.
import { authorizeRequest } from './rules/authorize-request.js';
import { pkceS256 } from './rules/pkce-s256.js';
import type { Rule } from './types.js';

export const RULES: ReadonlyMap<string, Rule> = new Map([authorizeRequest, pkceS256].map((rule) => [rule.name, rule]));

export const RULE_NAMES: ReadonlySet<string> = new Set(RULES.keys());
