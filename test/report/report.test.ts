// The readiness report from a real run against a leaky integration: schema, redaction of every
// secret in every file, JUnit read by a real consumer, tamper-evidence, re-rendering, goldens.
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import testResultsParser from 'test-results-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { verifyReport } from '../../src/report/manifest.js';
import { buildReport, type Report, type ReportCheck } from '../../src/report/model.js';
import { readReport, reportProblems } from '../../src/report/read.js';
import { writeReportFolder } from '../../src/report/write.js';
import { FILE_WRITERS, renderTerminal, type FileFormat } from '../../src/report/writers/index.js';
import type { RunResult } from '../../src/runner/run.js';
import { fakeContext } from '../helpers/cli.js';
import { normalizeReport } from '../helpers/normalize.js';
import { ROOT, runFixture } from '../helpers/run-fixture.js';

const ALL_FORMATS = Object.keys(FILE_WRITERS) as FileFormat[];
const CHECKS = ['OAUTH-01', 'OAUTH-08', 'KEY-01', 'SEC-01', 'SEC-02', 'SEC-03'];

let run: RunResult;
let report: Report;
let dir: string;
const work = mkdtempSync(join(tmpdir(), 'eap-report-'));

beforeAll(async () => {
  // a fixed seed: the same companies, items and amounts every time, so goldens change only with the code
  const result = await runFixture('leaky', CHECKS, 'golden-1');
  run = result.run;
  report = buildReport({ run, target: result.target, suites: result.suites, harnessVersion: '0.0.0-test' });
  dir = join(work, 'run');
  writeReportFolder(report, { outDir: dir, formats: ALL_FORMATS, secrets: run.secrets });
}, 120_000);

describe('report model', () => {
  it('is valid against the versioned schema and says what failed', () => {
    const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(reportProblems(json)).toEqual([]);
    expect(json.schemaVersion).toBe('1.0');
    expect(json.verdict.value).toBe('NOT READY');
    const outcomes = Object.fromEntries(json.requirements.flatMap((r: Report['requirements'][number]) => r.checks).map((c: { id: string; outcome: string }) => [c.id, c.outcome]));
    expect(outcomes).toMatchObject({ 'OAUTH-01': 'pass', 'SEC-01': 'fail', 'SEC-02': 'fail', 'SEC-03': 'fail', 'OAUTH-02': 'not run' });
    // the evidence of a failed check is in the report, as transcripts
    const sec01 = json.requirements.flatMap((r: Report['requirements'][number]) => r.checks).find((c: { id: string }) => c.id === 'SEC-01');
    const cited = sec01.expectations.flatMap((e: { evidence: number[] }) => e.evidence);
    expect(cited.length).toBeGreaterThan(0);
    for (const seq of cited) expect(json.exchanges.some((x: { seq: number }) => x.seq === seq)).toBe(true);
  });

  it('refuses a report.json that does not match the schema', () => {
    expect(reportProblems({ ...report, verdict: { value: 'MOSTLY READY', rule: 'x' } })).not.toEqual([]);
  });
});

describe('redaction', () => {
  it('leaves no secret the run saw in any written file, byte for byte', () => {
    const secrets = run.secrets.values();
    const kinds = new Set(secrets.map((value) => run.secrets.lookup(value)!.kind));
    expect(kinds).toEqual(new Set(['client-secret', 'cookie-key', 'session-cookie', 'webhook-secret', 'authorization-code', 'code-verifier', 'access-token', 'refresh-token']));
    const files = readdirSync(dir);
    expect(files.sort()).toEqual(['junit.xml', 'manifest.json', 'report.html', 'report.json', 'summary.md']);
    for (const file of files) {
      const bytes = readFileSync(join(dir, file));
      for (const secret of secrets) expect(bytes.includes(Buffer.from(secret)), `${file} contains a ${run.secrets.lookup(secret)!.kind}`).toBe(false);
    }
    // the integration did expose tokens (SEC-01/03 failed), and the report shows them by label
    const json = readFileSync(join(dir, 'report.json'), 'utf8');
    expect(json).toMatch(/‹access-token#\d+ acme\.sec-0\d›/);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/‹access-token#\d+ acme\.sec-0\d›/);
  });

  it('also keeps secrets out of the terminal table', () => {
    const text = run.secrets.redact(renderTerminal(report, { color: false }));
    for (const secret of run.secrets.values()) expect(text.includes(secret)).toBe(false);
  });
});

describe('junit.xml', () => {
  it('is read by a real consumer with the same counts', () => {
    const parsed = testResultsParser.parse({ type: 'junit', files: [join(dir, 'junit.xml')] });
    expect(parsed.suites.map((suite: { name: string }) => suite.name.split(' ')[0])).toEqual(report.requirements.map((requirement) => requirement.id));
    expect(parsed.failed).toBe(report.summary.fail);
    expect(parsed.errors).toBe(report.summary.error);
    expect(parsed.skipped).toBe(report.summary.skip + report.summary['not run'] + report.summary.waived);
    expect(parsed.passed).toBe(report.summary.pass + report.summary.warn);
    const failedCase = parsed.suites.flatMap((suite: { cases: { name: string; status: string; failure: string }[] }) => suite.cases).find((c: { name: string }) => c.name.startsWith('SEC-01'));
    expect(failedCase.status).toBe('FAIL');
    expect(failedCase.failure).toContain('URL');
  });
});

describe('tamper-evidence', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('ed25519');
  let signed: string;
  beforeAll(() => {
    signed = join(work, 'signed');
    writeReportFolder(report, { outDir: signed, formats: ALL_FORMATS, secrets: run.secrets, signKey: privateKey });
  });

  it('verifies an intact, signed folder', () => {
    expect(verifyReport(signed, publicKey)).toMatchObject({ ok: true, problems: [] });
    expect(verifyReport(dir).ok).toBe(true);
  });

  for (const file of ['report.json', 'report.html', 'junit.xml', 'summary.md', 'manifest.json']) {
    it(`names ${file} when one byte of it changes`, () => {
      const copy = join(work, `tampered-${file}`);
      cpSync(signed, copy, { recursive: true });
      const bytes = readFileSync(join(copy, file));
      const at = Math.floor(bytes.length / 2);
      bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41;
      writeFileSync(join(copy, file), bytes);
      const result = verifyReport(copy, publicKey);
      expect(result.ok).toBe(false);
      expect(result.problems.join('\n')).toContain(file === 'manifest.json' ? 'manifest.json' : `${file}: changed`);
    });
  }

  it('refuses a wrong key, an unsigned folder checked with a key, a missing and an extra file', () => {
    expect(verifyReport(signed, other.publicKey).problems).toEqual([expect.stringMatching(/^manifest\.json: signed by SHA256:.+, not by the given key/)]);
    expect(verifyReport(dir, publicKey).problems).toEqual(['manifest.json: not signed']);
    const copy = join(work, 'missing');
    cpSync(signed, copy, { recursive: true });
    rmSync(join(copy, 'junit.xml'));
    writeFileSync(join(copy, 'notes.txt'), 'added later');
    expect(verifyReport(copy, publicKey).problems.sort()).toEqual(['junit.xml: missing', 'notes.txt: not in the manifest']);
  });

  it('verify exits 0 when intact and 4 naming the file that changed', async () => {
    const pub = join(work, 'pub.pem');
    writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
    const ok = fakeContext();
    expect(await main(['verify', signed, '--pubkey', pub], ok.context)).toBe(0);
    const copy = join(work, 'tampered-cli');
    cpSync(signed, copy, { recursive: true });
    writeFileSync(join(copy, 'summary.md'), `${readFileSync(join(copy, 'summary.md'), 'utf8')} `);
    const bad = fakeContext();
    expect(await main(['verify', copy, '--pubkey', pub], bad.context)).toBe(4);
    expect(bad.stderr()).toContain('changed: summary.md: changed');
  });
});

describe('writing', () => {
  it('leaves nothing half-written when it cannot write', () => {
    const blocker = join(work, 'a-file');
    writeFileSync(blocker, 'not a folder');
    expect(() => writeReportFolder(report, { outDir: join(blocker, 'run'), formats: ALL_FORMATS })).toThrow();
    expect(readdirSync(work).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('`report <dir>` re-renders the other formats from report.json, identically', async () => {
    const copy = join(work, 'rerender');
    cpSync(dir, copy, { recursive: true });
    for (const file of ['report.html', 'junit.xml', 'summary.md']) rmSync(join(copy, file));
    const cli = fakeContext();
    expect(await main(['report', copy], cli.context)).toBe(0);
    for (const file of ['report.html', 'junit.xml', 'summary.md']) expect(readFileSync(join(copy, file), 'utf8'), file).toBe(readFileSync(join(dir, file), 'utf8'));
    expect(verifyReport(copy).ok).toBe(true);
    expect(cli.stdout()).toMatch(/^NOT READY/);
    // through a link such as reports/latest: the folder it points at is rewritten, the link stays
    const latest = join(work, 'latest-link');
    symlinkSync(copy, latest);
    expect(await main(['report', latest], fakeContext().context)).toBe(0);
    expect(lstatSync(latest).isSymbolicLink()).toBe(true);
    expect(verifyReport(copy).ok).toBe(true);
  });
});

describe('golden files', () => {
  const golden = join(ROOT, 'fixtures/golden');
  const render = (fixed: Report): Record<string, string> => ({
    'report.json': FILE_WRITERS.json.render(fixed),
    'report.html': FILE_WRITERS.html.render(fixed),
    'junit.xml': FILE_WRITERS.junit.render(fixed),
    'summary.md': FILE_WRITERS.md.render(fixed),
    'terminal.txt': renderTerminal(fixed, { color: false }),
  });
  const compare = (dir: string, outputs: Record<string, string>): void => {
    mkdirSync(dir, { recursive: true });
    for (const [file, text] of Object.entries(outputs)) {
      if (process.env.UPDATE_GOLDEN) writeFileSync(join(dir, file), text);
      expect(text, `${file} differs from ${join(dir, file)} (UPDATE_GOLDEN=1 to accept)`).toBe(readFileSync(join(dir, file), 'utf8'));
    }
  };
  /** What a fresh run must keep of the fixed one: checks, outcomes, and every expectation's place and wording. */
  const shape = (r: Report) => r.requirements.flatMap((requirement) => requirement.checks.map((check) => [check.id, check.outcome, check.expectations.map((e) => [e.source, e.outcome, e.expected])]));

  it('render the fixed run the same way in every format, and this run has its shape', () => {
    // UPDATE_GOLDEN=1 re-renders the formats from the fixed run; UPDATE_GOLDEN=run also replaces the fixed run by this one
    if (process.env.UPDATE_GOLDEN === 'run') writeFileSync(join(golden, 'report.json'), `${JSON.stringify(normalizeReport(report, run.secrets), null, 2)}\n`);
    expect(existsSync(join(golden, 'report.json')), 'run with UPDATE_GOLDEN=run once to create the goldens').toBe(true);
    const fixed = readReport(join(golden, 'report.json'));
    compare(golden, render(fixed));
    expect(shape(normalizeReport(report, run.secrets))).toEqual(shape(fixed));
  });

  it('render every outcome: error, warn, skip and waived beside pass, fail and not run', () => {
    const fixed = readReport(join(golden, 'report.json'));
    const varied = (check: ReportCheck): ReportCheck => {
      switch (check.id) {
        case 'OAUTH-08':
          return { ...check, outcome: 'error', message: 'step "sync 1": the sync hook did not answer within 30 s', expectations: [] };
        case 'KEY-01':
          return { ...check, outcome: 'waived', waiver: { owner: 'partner-security@example.com', reason: 'moving the last job to OAuth in 2.1 (TB-7)', expires: '2099-12-31', expired: false } };
        case 'SEC-04':
          return { ...check, outcome: 'skip', message: 'not applicable: the target declares no webhook hook' };
        case 'ID-01':
          return { ...check, outcome: 'warn', message: '3 requests without a User-Agent naming the integration' };
        default:
          return check;
      }
    };
    const requirements = fixed.requirements.map((requirement) => ({ ...requirement, checks: requirement.checks.map(varied) }));
    const summary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0, waived: 0, 'not run': 0 } as Record<ReportCheck['outcome'], number>;
    for (const check of requirements.flatMap((requirement) => requirement.checks)) summary[check.outcome] += 1;
    const every: Report = { ...fixed, requirements, summary };
    expect(Object.entries(summary).filter(([, n]) => n === 0)).toEqual([]);
    expect(reportProblems(JSON.parse(FILE_WRITERS.json.render(every)))).toEqual([]);
    const dir = join(golden, 'every-outcome');
    const { 'report.json': _same, ...outputs } = render(every); // its JSON is the fixed one with four checks changed
    compare(dir, outputs);
    // and a real JUnit consumer counts them as they are
    const parsed = testResultsParser.parse({ type: 'junit', files: [join(dir, 'junit.xml')] });
    expect([parsed.failed, parsed.errors, parsed.skipped, parsed.passed]).toEqual([summary.fail, summary.error, summary.skip + summary['not run'] + summary.waived, summary.pass + summary.warn]);
  });
});
