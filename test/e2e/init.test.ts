// `eap-conformance init` writes a target file that validates as it is and drives a real run: here
// against a copy of the reference integration, as a partner would start in their own repository.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildOnce, runCli } from '../helpers/cli-process.js';
import { ROOT } from '../helpers/run-fixture.js';

// inside the project, so that the copy finds node_modules as a partner's repository would
mkdirSync(join(ROOT, '.vitest-artifacts'), { recursive: true });
const repo = mkdtempSync(join(ROOT, '.vitest-artifacts', 'init-'));

beforeAll(() => buildOnce(), 120_000);
afterAll(() => rmSync(repo, { recursive: true, force: true }));

it('writes a valid target from package.json, refuses to overwrite it, and the run it drives works', async () => {
  cpSync(join(ROOT, 'fixtures/integrations/reference'), repo, { recursive: true });
  rmSync(join(repo, 'target.yaml'));
  writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'ledgerline-pleo', version: '4.2.0', type: 'module', scripts: { start: 'node server.mjs' } }));
  const init = await runCliIn(repo, ['init']);
  expect(init.code, init.stderr).toBe(0);
  expect(init.stdout).toContain('wrote target.yaml (oauth2)');
  const text = readFileSync(join(repo, 'target.yaml'), 'utf8');
  expect(text).toMatch(/^# yaml-language-server: \$schema=(\.\.\/)+schemas\/target\.schema\.json\n/);
  expect(text).toContain('name: "ledgerline-pleo"\nversion: "4.2.0"\n');
  expect(text).toContain('command: ["npm","start"]');
  expect((await runCliIn(repo, ['init'])).stderr).toContain('target.yaml exists already (--force overwrites it)');
  expect((await runCliIn(repo, ['validate', '--target', 'target.yaml'])).code).toBe(0);
  const run = await runCliIn(repo, ['run', '--target', 'target.yaml', '--only', 'OAUTH-01,OAUTH-02,KEY-03', '--format', 'terminal']);
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(3); // the other blockers did not run
  expect(run.stderr).toMatch(/\[1\/3\] OAUTH-01 pass/);
  expect(run.stderr).toMatch(/\[2\/3\] OAUTH-02 pass/);
  expect(run.stderr).toMatch(/\[3\/3\] KEY-03 pass/);
  expect(existsSync(join(repo, 'target.yaml'))).toBe(true);
}, 180_000);

/** The CLI with another working directory (a partner's repository). */
function runCliIn(cwd: string, args: string[]) {
  return runCli(args, 120_000, cwd);
}
