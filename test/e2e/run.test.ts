// `eap-conformance run` as a real process against the bundled reference and the defective fixture
// integrations: the exit code, the verdict line and the exact set of failed checks in the table,
// which must equal fixtures/expected-failures.json.
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/eap-conformance.js');
const EXPECTED: Record<string, string[]> = JSON.parse(readFileSync(join(ROOT, 'fixtures/expected-failures.json'), 'utf8'));
const OUTCOMES = new Set(['pass', 'fail', 'warn', 'error', 'skip', 'waived', 'not run']);

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the CLI as a child process: no TTY, no colour. */
function runCli(args: string[]): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** The rows of the terminal table: check id → outcome (continuation lines of wrapped cells skipped). */
function parseTable(stdout: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('│')) continue;
    const cells = line.split('│').slice(1, -1).map((cell) => cell.trim());
    const [id, , outcome] = cells;
    if (!id || !/^[A-Z]+-\d+$/.test(id)) continue; // header or continuation line
    rows.set(id, outcome ?? '');
  }
  return rows;
}

/** Newest modification time of the files under a folder (0 if it does not exist). */
function newest(dir: string, filter: (name: string) => boolean): number {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !filter(entry.name)) continue;
    latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

const timings: { name: string; ms: number; code: number }[] = [];

beforeAll(() => {
  // build only when dist/ is missing or older than src/
  const src = newest(join(ROOT, 'src'), (name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
  const dist = existsSync(join(ROOT, 'dist/cli/main.js')) ? statSync(join(ROOT, 'dist/cli/main.js')).mtimeMs : 0;
  const distNewest = newest(join(ROOT, 'dist'), (name) => name.endsWith('.js'));
  if (!dist || distNewest < src) execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: ROOT, stdio: 'inherit' });
}, 120_000);

afterAll(() => {
  if (timings.length) console.info(`eap-conformance run timings:\n${timings.map((t) => `  ${t.name.padEnd(14)} exit ${t.code}  ${(t.ms / 1000).toFixed(1)} s`).join('\n')}`);
});

describe('eap-conformance run (end to end, as a process)', () => {
  it('has an expected-failures entry for the reference and every defective fixture', () => {
    const folders = readdirSync(join(ROOT, 'fixtures/integrations'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, 'fixtures/integrations', entry.name, 'target.yaml')))
      .map((entry) => entry.name);
    expect(Object.keys(EXPECTED).sort()).toEqual(folders.sort());
  });

  for (const [fixture, expectedFailures] of Object.entries(EXPECTED)) {
    const ready = expectedFailures.length === 0;
    it(`${fixture}: exit ${ready ? 0 : 4}, ${ready ? 'READY' : `NOT READY failing exactly ${expectedFailures.join(', ')}`}`, async () => {
      // the reference is the default target: run it without --target, as a partner would first
      const args = fixture === 'reference' ? ['run'] : ['run', '--target', join('fixtures/integrations', fixture, 'target.yaml')];
      const run = await runCli(args);
      timings.push({ name: fixture, ms: run.ms, code: run.code });
      const context = `\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;

      expect(run.stdout, context).not.toMatch(/\x1b\[/); // NO_COLOR and no TTY: plain text
      const rows = parseTable(run.stdout);
      expect(rows.size, `no check rows in the table${context}`).toBeGreaterThan(0);
      for (const [id, outcome] of rows) {
        expect(OUTCOMES.has(outcome), `${id}: unknown outcome "${outcome}"${context}`).toBe(true);
        expect(outcome, `${id} could not be judged (harness or integration fault)${context}`).not.toBe('error');
      }
      const failed = [...rows].filter(([, outcome]) => outcome === 'fail').map(([id]) => id).sort();
      expect(failed, context).toEqual([...expectedFailures].sort());

      if (ready) {
        expect(run.code, context).toBe(0);
        expect(run.stdout.startsWith('READY'), context).toBe(true);
        expect([...rows.values()].every((outcome) => outcome === 'pass'), context).toBe(true);
      } else {
        expect(run.code, context).toBe(4);
        expect(run.stdout.startsWith('NOT READY'), context).toBe(true);
        // the verdict line names the same checks as the table
        const named = /failed: ([A-Z0-9, -]+)$/m.exec(run.stdout.split('\n')[0]!)?.[1]?.split(', ').sort();
        expect(named, context).toEqual([...expectedFailures].sort());
      }
    }, 60_000);
  }
});
