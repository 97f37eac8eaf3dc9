// `eap-conformance run` as a real process: exit codes, the verdict line, the report folder.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { fakeContext } from '../helpers/cli.js';
import { buildOnce, runCli } from '../helpers/cli-process.js';

const work = mkdtempSync(join(tmpdir(), 'eap-e2e-'));

beforeAll(() => buildOnce(), 120_000);

describe('eap-conformance run (as a process)', () => {
  it('with no arguments runs every suite against the reference: READY, exit 0, report written', async () => {
    const out = join(work, 'reference');
    const run = await runCli(['run', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^READY — /);
    expect(run.stdout).not.toMatch(/\x1b\[/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.verdict.value).toBe('READY');
    expect(report.seed).toMatch(/^[0-9a-f]{8}$/); // a fresh seed, kept so that the run can be repeated
    expect(report.summary).toMatchObject({ fail: 0, error: 0, warn: 0, 'not run': 0 });
    expect(report.summary.pass).toBeGreaterThanOrEqual(34);
    for (const file of ['report.html', 'junit.xml', 'summary.md', 'manifest.json']) expect(existsSync(join(out, file)), file).toBe(true);
  }, 90_000);

  it('against a defective integration: NOT READY, exit 4, naming the failed checks', async () => {
    const run = await runCli(['run', '--target', 'fixtures/integrations/sticky-tokens/target.yaml', '--only', 'REV-01,REV-02,OAUTH-01', '--format', 'terminal']);
    expect(run.code, run.stderr).toBe(4);
    expect(run.stdout.split('\n')[0]).toBe('NOT READY — 2 blocker/major check(s) failed: REV-01, REV-02');
  }, 60_000);

  it('a subset of checks cannot be READY: INCOMPLETE, exit 3', async () => {
    const run = await runCli(['run', '--only', 'OAUTH-01', '--format', 'terminal', '--seed', 'ci-7']);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toMatch(/^INCOMPLETE — \d+ blocker check\(s\) did not run/);
    expect(run.stdout).toMatch(/ \(seed ci-7\)\n/);
  }, 60_000);

  it('an invalid target: exit 2 with file:line:col, nothing run', async () => {
    const target = join(work, 'bad-target.yaml');
    writeFileSync(target, 'name: x\nversion: 1\nauth: { mode: oauth3 }\n');
    const run = await runCli(['run', '--target', target]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bad-target.yaml:3:15: error: expected one of "oauth2", "integrated-api-key", got "oauth3"');
    expect(run.stderr).toContain('bad-target.yaml:2:10: error: expected string, got number 1');
    expect(run.stdout).toBe('');
  });

  it('usage errors: exit 1', async () => {
    expect((await runCli(['run', '--formats', 'json'])).code).toBe(1);
    expect((await runCli(['run', '--format', 'pdf'])).stderr).toContain('unknown format "pdf"');
    expect((await runCli(['frobnicate'])).code).toBe(1);
    const badSeed = await runCli(['run', '--seed', 'two words']);
    expect([badSeed.code, badSeed.stderr]).toEqual([1, expect.stringContaining('--seed must be 1 to 64 printable characters')]);
  });

  it('on a terminal: one live progress line on stderr and a coloured table; without one, plain lines', async () => {
    const tty = fakeContext();
    const code = await main(['run', '--only', 'OAUTH-01', '--format', 'terminal'], { ...tty.context, isTty: true, stderrIsTty: true, color: true });
    expect(code).toBe(3);
    expect(tty.stderr()).toContain('\r\x1b[K[1/1] OAUTH-01 connect starts an authorization-code request');
    expect(tty.stderr()).not.toMatch(/\[1\/1\] OAUTH-01 pass \(\d+ ms\)\n/);
    expect(tty.stdout()).toMatch(/\x1b\[\d+m/);
    const plain = fakeContext();
    expect(await main(['run', '--only', 'OAUTH-01', '--format', 'terminal'], plain.context)).toBe(3);
    expect(plain.stderr()).toMatch(/^\[1\/1\] OAUTH-01 pass \(\d+ ms\)\n/m);
    expect(plain.stderr() + plain.stdout()).not.toMatch(/\x1b/);
  }, 60_000);

  it('applies a waiver in force (READY WITH EXCEPTIONS, shown in every format) and not an expired one', async () => {
    const out = join(work, 'waived');
    const waived = await runCli(['run', '--target', 'fixtures/targets/no-rotation-waived.yaml', '--out', out], 120_000);
    expect(waived.code, waived.stderr).toBe(0);
    expect(waived.stdout).toMatch(/^READY WITH EXCEPTIONS — waived: OAUTH-09/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const check = report.requirements.flatMap((requirement: { checks: { id: string }[] }) => requirement.checks).find((c: { id: string }) => c.id === 'OAUTH-09');
    expect(check).toMatchObject({ outcome: 'waived', waiver: { owner: 'partner-security@tallybook.example', expires: '2099-12-31', expired: false } });
    expect(report.summary).toMatchObject({ waived: 1, fail: 0, error: 0 });
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('READY WITH EXCEPTIONS');
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/OAUTH-09[^>]*>\s*<skipped message="waived/);

    const expired = await runCli(['run', '--target', 'fixtures/targets/no-rotation-expired-waiver.yaml', '--only', 'OAUTH-09', '--format', 'terminal'], 60_000);
    expect(expired.code, expired.stderr).toBe(4);
    expect(expired.stdout.split('\n')[0]).toBe('NOT READY — 1 blocker/major check(s) failed: OAUTH-09');
    expect(expired.stdout).toContain('waiver expired on 2020-01-31');
  }, 180_000);

  it('--companies scales TEN-04: the reference completes 100 companies at once, fleet-mixup fails at 40', async () => {
    const out = join(work, 'fleet');
    const fleet = await runCli(['run', '--only', 'TEN-04', '--companies', '100', '--out', out, '--format', 'json'], 120_000);
    expect(fleet.code, fleet.stderr).toBe(3); // --only: the other blockers did not run
    const check = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).requirements.flatMap((r: { checks: { id: string }[] }) => r.checks).find((c: { id: string }) => c.id === 'TEN-04');
    expect(check).toMatchObject({ id: 'TEN-04', outcome: 'pass', message: expect.stringContaining('100 companies, every job completed with exactly its own items') });
    const mixup = await runCli(['run', '--target', 'fixtures/integrations/fleet-mixup/target.yaml', '--only', 'TEN-04', '--companies', '40', '--format', 'terminal'], 120_000);
    expect(mixup.code, mixup.stderr).toBe(4);
    expect(mixup.stdout.split('\n')[0]).toBe('NOT READY — 1 blocker/major check(s) failed: TEN-04');
  }, 240_000);
});
