// Every check proven both ways: each fixture integration (the reference and one folder per
// realistic defect) is run through the whole catalogue, and the verdict and the exact sets of
// failed, warned and not-judged checks must equal fixtures/expected-outcomes.json.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { buildOnce, runCli } from '../helpers/cli-process.js';
import { ROOT } from '../helpers/run-fixture.js';

interface Expected {
  readonly verdict: string;
  readonly fail: readonly string[];
  readonly warn?: readonly string[];
  readonly error?: readonly string[];
}

const EXPECTED: Record<string, Expected> = JSON.parse(readFileSync(join(ROOT, 'fixtures/expected-outcomes.json'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'eap-fixtures-'));
const timings: string[] = [];

beforeAll(() => buildOnce(), 120_000);
afterAll(() => {
  if (timings.length) console.info(`fixture runs:\n${timings.sort().join('\n')}`);
});

it('lists every fixture integration in fixtures/expected-outcomes.json', () => {
  const folders = readdirSync(join(ROOT, 'fixtures/integrations')).filter((name) => existsSync(join(ROOT, 'fixtures/integrations', name, 'target.yaml')));
  expect(Object.keys(EXPECTED).sort()).toEqual(folders.sort());
});

it('proves every check of the catalogue both ways: the reference passes it, some fixture fails it', () => {
  const catalogue = readdirSync(join(ROOT, 'suites'))
    .filter((name) => name.endsWith('.yaml'))
    .flatMap((name) => [...readFileSync(join(ROOT, 'suites', name), 'utf8').matchAll(/^ {2}- id: ([A-Z]+-\d{2})$/gm)].map((match) => match[1]!));
  expect(catalogue).toHaveLength(35);
  const failedSomewhere = new Set(Object.entries(EXPECTED).flatMap(([name, expected]) => (name === 'reference' ? [] : [...expected.fail, ...(expected.warn ?? [])])));
  expect(catalogue.filter((id) => !failedSomewhere.has(id))).toEqual([]);
  // the compliant ones: the reference, the async (202) one, and the integrated-key one under its exception
  expect(EXPECTED.reference).toEqual({ verdict: 'READY', fail: [] });
  expect(EXPECTED['queue-worker']).toEqual({ verdict: 'READY', fail: [] });
  expect(EXPECTED['integrated-key']).toEqual({ verdict: 'READY WITH EXCEPTIONS', fail: [] });
});

describe.concurrent('each fixture fails exactly its expected checks', () => {
  for (const [fixture, expected] of Object.entries(EXPECTED)) {
    it(fixture, async () => {
      const out = join(work, fixture);
      const run = await runCli(['run', '--target', join('fixtures/integrations', fixture, 'target.yaml'), '--out', out, '--format', 'json'], 120_000);
      timings.push(`  ${fixture.padEnd(18)} exit ${run.code}  ${(run.ms / 1000).toFixed(1)} s`);
      expect(existsSync(join(out, 'report.json')), run.stderr).toBe(true);
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
      const checks = report.requirements.flatMap((requirement) => requirement.checks);
      const ids = (outcome: string): string[] => checks.filter((check) => check.outcome === outcome).map((check) => check.id).sort();
      const details = `\n${checks.filter((check) => !['pass', 'skip'].includes(check.outcome)).map((check) => `${check.id} ${check.outcome}: ${check.message}`).join('\n')}`;
      expect({ fail: ids('fail'), warn: ids('warn'), error: ids('error') }, details).toEqual({
        fail: [...expected.fail].sort(),
        warn: [...(expected.warn ?? [])].sort(),
        error: [...(expected.error ?? [])].sort(),
      });
      expect(report.verdict.value, details).toBe(expected.verdict);
      expect(run.code).toBe({ READY: 0, 'READY WITH EXCEPTIONS': 0, 'NOT READY': 4, INCOMPLETE: 3 }[expected.verdict]);
    }, 180_000);
  }
});
