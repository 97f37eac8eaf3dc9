// Runs the suites against a fixture integration in-process (the integration is a real process).
import { join } from 'node:path';
import { RULE_NAMES } from '../../src/checks/registry.js';
import { loadSuites } from '../../src/load/load-suite.js';
import { loadTarget } from '../../src/load/load-target.js';
import type { Suite, Target } from '../../src/model.js';
import { runChecks, type RunResult } from '../../src/runner/run.js';
import { readdirSync } from 'node:fs';

export const ROOT = join(import.meta.dirname, '..', '..');

export function loadStandardSuites(): Suite[] {
  const dir = join(ROOT, 'suites');
  const files = readdirSync(dir).filter((name) => name.endsWith('.yaml')).map((name) => ({ path: join(dir, name), display: `suites/${name}` }));
  const { suites, diagnostics } = loadSuites(files, RULE_NAMES);
  if (diagnostics.length) throw new Error(`suites do not load: ${diagnostics.map((d) => d.message).join('; ')}`);
  return [...suites].sort((a, b) => a.requirement.localeCompare(b.requirement, 'en', { numeric: true }));
}

export function loadFixtureTarget(name: string): Target {
  const path = join(ROOT, 'fixtures/integrations', name, 'target.yaml');
  const { target, diagnostics } = loadTarget(path, `fixtures/integrations/${name}/target.yaml`, process.env);
  if (!target) throw new Error(`target of ${name} does not load: ${diagnostics.map((d) => d.message).join('; ')}`);
  return target;
}

/** Runs `only` (or every) check of the standard suites against a fixture. */
export async function runFixture(name: string, only?: readonly string[], seed?: string): Promise<{ run: RunResult; target: Target; suites: Suite[] }> {
  const suites = loadStandardSuites();
  const all = suites.flatMap((suite) => suite.checks);
  const checks = only ? all.filter((check) => only.includes(check.id)) : all;
  const target = loadFixtureTarget(name);
  const run = await runChecks({ target, checks, notSelected: all.filter((check) => !checks.includes(check)), baseEnv: process.env, seed });
  return { run, target, suites };
}
