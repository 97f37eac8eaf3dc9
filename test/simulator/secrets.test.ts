// The secret registry's redaction: every encoded form, leftmost-longest, unchanged text without
// secrets, and agreement with a plain one-regex oracle on random texts full of secrets.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretRegistry, windowHash } from '../../src/simulator/secrets.js';

/** The obvious implementation: one alternation of every form, longest first. Slow, but clearly right. */
function oracle(registry: SecretRegistry, text: string): string {
  const forms = new Map<string, string>();
  for (const value of registry.values()) {
    const label = registry.lookup(value)!.label;
    for (const form of [value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2), Buffer.from(value).toString('base64').replace(/=+$/, ''), Buffer.from(value).toString('base64url')]) {
      if (form.length >= 8 && !forms.has(form)) forms.set(form, label);
    }
  }
  const pattern = new RegExp([...forms.keys()].sort((a, b) => b.length - a.length).map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return text.replace(pattern, (match) => `‹${forms.get(match)}›`);
}

describe('SecretRegistry.redact', () => {
  it('replaces raw, URL-encoded, base64 and base64url forms by the label', () => {
    const registry = new SecretRegistry();
    const secret = 'pls_9f8e7d6c/5b4a+3=21x'; // 23 bytes: base64 ends in one '='
    expect(registry.register(secret, 'api-key', 'acme')).toBe('api-key#1 acme');
    const text = [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url')].join(' | ');
    expect(registry.redact(text)).toBe('‹api-key#1 acme› | ‹api-key#1 acme› | ‹api-key#1 acme›= | ‹api-key#1 acme›');
  });

  it('finds secrets inside longer runs, next to each other, and prefers the longest at one place', () => {
    const registry = new SecretRegistry();
    registry.register('abcdefgh', 'authorization-code');
    registry.register('abcdefghijkl', 'access-token', 'globex');
    registry.register('zzzzzzzz', 'refresh-token');
    expect(registry.redact('xxabcdefghijklzzzzzzzzabcdefghyy')).toBe('xx‹access-token#1 globex›‹refresh-token#1›‹authorization-code#1›yy');
    expect(registry.redact('"code":"abcdefgh","token":"abcdefghijk"')).toBe('"code":"‹authorization-code#1›","token":"‹authorization-code#1›ijk"');
  });

  it('leaves text without secrets as it is, and learns secrets registered later', () => {
    const registry = new SecretRegistry();
    expect(registry.redact('nothing to hide here, not even abcdefgh')).toBe('nothing to hide here, not even abcdefgh');
    registry.register('abcdefgh', 'client-secret');
    expect(registry.redact('not even abcdefgh')).toBe('not even ‹client-secret#1›');
    registry.register('nothing to', 'webhook-secret');
    expect(registry.redact('nothing to hide, abcdefgh')).toBe('‹webhook-secret#1› hide, ‹client-secret#1›');
  });

  it('agrees with the one-regex oracle on random texts', () => {
    const registry = new SecretRegistry();
    const values: string[] = [];
    for (let i = 0; i < 60; i += 1) {
      const value = i % 3 === 0 ? `${randomBytes(6).toString('hex')}/+=?&` : randomBytes(8 + (i % 24)).toString('base64url');
      values.push(value);
      registry.register(value, i % 2 ? 'access-token' : 'refresh-token', i % 4 ? 'acme' : undefined);
    }
    for (let round = 0; round < 50; round += 1) {
      const parts: string[] = [];
      for (let j = 0; j < 40; j += 1) {
        const value = values[(round * 7 + j * 13) % values.length]!;
        const pick = (round + j) % 6;
        parts.push(
          pick === 0 ? value : pick === 1 ? encodeURIComponent(value) : pick === 2 ? Buffer.from(value).toString('base64') : pick === 3 ? value.slice(0, 9) : pick === 4 ? `${value.slice(2)}${value}` : randomBytes(12).toString('base64'),
        );
        parts.push(['', ' ', '"', '&code=', '\n', 'Bearer '][j % 6]!);
      }
      const text = parts.join('');
      expect(registry.redact(text)).toBe(oracle(registry, text));
    }
  });

  it('tells apart two windows with the same hash, and handles text beyond ASCII', () => {
    // a real collision of the 32-bit window hash: birthday search over random 8-character strings
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; i < 2_000_000 && !pair; i += 1) {
      const candidate = randomBytes(6).toString('base64url');
      const hash = windowHash(candidate, 0);
      const earlier = seen.get(hash);
      if (earlier !== undefined && earlier !== candidate) pair = [earlier, candidate];
      else seen.set(hash, candidate);
    }
    expect(pair, 'no collision found').toBeDefined();
    const [secret, lookalike] = pair!;
    const registry = new SecretRegistry();
    registry.register(`${secret}-tail`, 'access-token');
    expect(registry.redact(`a ${lookalike}-tail b`)).toBe(`a ${lookalike}-tail b`);
    expect(registry.redact(`a ${lookalike}${secret}-tail b`)).toBe(`a ${lookalike}‹access-token#1› b`);

    registry.register('pässwörd-ünïcode-✓', 'client-secret');
    const value = 'pässwörd-ünïcode-✓';
    expect(registry.redact(`"${value}" ${encodeURIComponent(value)} ${Buffer.from(value).toString('base64url')} 🙂`)).toBe('"‹client-secret#1›" ‹client-secret#1› ‹client-secret#1› 🙂');
  });
});
