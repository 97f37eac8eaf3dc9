// Finds and loads the target and suite files a command names (or the bundled defaults).
import { readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULE_NAMES } from '../checks/registry.js';
import type { Diagnostic } from '../load/diagnostics.js';
import { loadSuites } from '../load/load-suite.js';
import { loadTarget } from '../load/load-target.js';
import type { Check, Suite, Target } from '../model.js';
import type { CliContext } from './context.js';
import { UsageError } from './exit-codes.js';

/** The package's own folder (holds suites/ and fixtures/). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_TARGET = join(PACKAGE_ROOT, 'fixtures/integrations/reference/target.yaml');
export const SUITES_DIR = join(PACKAGE_ROOT, 'suites');
export const HARNESS_VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export interface Inputs {
  readonly target?: Target;
  readonly suites: readonly Suite[];
  readonly selected: readonly Check[];
  readonly notSelected: readonly Check[];
  readonly diagnostics: readonly Diagnostic[];
}

function display(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** The standard suites, or the files/folders given with --suite. */
export function suiteFiles(given: readonly string[], context: CliContext): { path: string; display: string }[] {
  const entries = given.length ? given.map((file) => resolve(context.cwd, file)) : [SUITES_DIR];
  const files: string[] = [];
  for (const entry of entries) {
    let names: string[] | undefined;
    try {
      names = readdirSync(entry).filter((name) => /\.ya?ml$/.test(name)).sort();
    } catch {
      names = undefined;
    }
    if (names) files.push(...names.map((name) => join(entry, name)));
    else files.push(entry);
  }
  return files.map((path) => ({ path, display: display(path, context.cwd) }));
}

export function loadInputs(options: { target?: string; suites: readonly string[]; only?: string; needTarget: boolean }, context: CliContext): Inputs {
  const { suites, diagnostics } = loadSuites(suiteFiles(options.suites, context), RULE_NAMES);
  // requirement order (EAP-1 … EAP-7), then as written
  const all = [...suites].sort((a, b) => a.requirement.localeCompare(b.requirement, 'en', { numeric: true })).flatMap((suite) => suite.checks);
  const ids = new Set(all.map((check) => check.id));
  let target: Target | undefined;
  const found: Diagnostic[] = [...diagnostics];
  if (options.needTarget) {
    const path = options.target ? resolve(context.cwd, options.target) : DEFAULT_TARGET;
    const loaded = loadTarget(path, display(path, context.cwd), context.env, diagnostics.length ? undefined : ids);
    found.push(...loaded.diagnostics);
    target = loaded.target;
  }
  let selected = all;
  if (options.only) {
    const wanted = options.only.split(',').map((id) => id.trim()).filter(Boolean);
    const unknown = wanted.filter((id) => !ids.has(id));
    if (unknown.length && !found.length) throw new UsageError(`--only names unknown check(s): ${unknown.join(', ')} (known: ${[...ids].join(', ')})`);
    selected = all.filter((check) => wanted.includes(check.id));
  }
  const chosen = new Set(selected);
  return { target, suites, selected, notSelected: all.filter((check) => !chosen.has(check)), diagnostics: found };
}
