// OAUTH-03's estimate of how guessable a `state` is: the narrowest alphabet the value fits.
import { expect, it } from 'vitest';
import { stateBits } from '../../src/checks/rules/state-quality.js';

it.each([
  ['1796347232840', 43], // Date.now(): digits, not hex
  ['0123456789abcdef0123456789abcdef', 128], // 16 random bytes as hex
  ['q7Zk2mN4pR8sT1vX3yB6cD9fG0hJ5kL7mN2pQ4rS6tU', 258], // 43 base64url characters (32 random bytes)
  ['birchbook-pleo', 84], // a slug reads as base64url: only repetition across flows gives it away
  ['a b', 4], // otherwise: the characters it uses
])('%s carries about %i bits', (state, bits) => {
  expect(stateBits(state)).toBe(bits);
});
