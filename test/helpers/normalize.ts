// Makes a report independent of the moment and the machine: times, ports, ids and random values
// are replaced by stable placeholders, so that goldens compare what the writers do.
import type { Report } from '../../src/report/model.js';
import type { SecretRegistry } from '../../src/simulator/secrets.js';

export function normalizeReport(report: Report, secrets: SecretRegistry): Report {
  const stable = new Map<string, string>();
  const placeholder = (kind: string, value: string): string => {
    if (!stable.has(value)) stable.set(value, `${kind}-${stable.size + 1}`);
    return stable.get(value)!;
  };
  let text = secrets.redact(JSON.stringify(report));
  text = text
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (value) => placeholder('uuid', value))
    .replace(/canary-([a-z0-9.-]+?)-[0-9a-f]{12}/g, 'canary-$1-CANARY')
    .replace(/(state|code_challenge|sid|msg)([=_])[A-Za-z0-9_~-]{10,}/g, (_, name: string, sep: string, value: string) => `${name}${sep}${placeholder('random', value)}`)
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '2026-01-01T00:00:00.000Z')
    .replace(/(pleo_sim_[a-z_.]+=)[^;"\\]+/g, '$1COOKIE')
    .replace(/"date","[^"]+"/g, '"date","Thu, 01 Jan 2026 00:00:00 GMT"')
    .replace(/"keep-alive","timeout=\d+"/g, '"keep-alive","timeout=N"');
  const fixed = JSON.parse(text) as Report & { exchanges: { startedAt: number; durationMs: number }[] };
  return {
    ...fixed,
    runId: '2026-01-01T00-00-00Z-000000',
    durationMs: 1000,
    harness: { ...fixed.harness, version: '0.0.0-test', node: 'v20' },
    requirements: fixed.requirements.map((requirement) => ({ ...requirement, checks: requirement.checks.map((check) => ({ ...check, durationMs: 100 })) })),
    exchanges: fixed.exchanges.map((exchange, i) => ({ ...exchange, startedAt: 1_767_225_600_000 + i * 10, durationMs: 1 })),
  };
}
