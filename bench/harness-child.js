// Child process of the harness figures: does what `eap-conformance run` does (load the standard
// suites and a target, run, build the report, write every format) and replies with timings.
//
//   node bench/harness-child.js catalogue   every check against the reference integration
//   node bench/harness-child.js fleet N     TEN-04 alone with N companies connected at once
//
// CPU: the harness's own (this process: simulator, runner, user agent, report) from
// process.cpuUsage(); the integration's from this process's reaped children (/proc/self/stat
// cutime + cstime), since the harness waits for every integration process it started.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HARNESS_VERSION, loadInputs } from '../dist/cli/load-inputs.js';
import { buildReport, newRunId } from '../dist/report/model.js';
import { writeReportFolder } from '../dist/report/write.js';
import { FORMATS } from '../dist/report/writers/index.js';
import { runChecks } from '../dist/runner/run.js';

const [mode = 'catalogue', arg] = process.argv.slice(2);
const WRITE_ROUNDS = 7;
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds of reaped children (user + system), or NaN where /proc is not there. */
function childrenCpuSeconds() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); cutime and cstime are fields 16 and 17
    return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const context = { cwd: process.cwd(), env: process.env, isTty: false, color: false, stdout: () => {}, stderr: () => {}, interrupted: new Promise(() => {}) };
  const only = mode === 'fleet' ? 'TEN-04' : undefined;
  const inputs = loadInputs({ suites: [], only, needTarget: true }, context);
  if (inputs.diagnostics.length) throw new Error(`inputs do not load: ${inputs.diagnostics.map((d) => d.message).join('; ')}`);
  const companies = mode === 'fleet' ? Number(arg ?? 100) : undefined;

  const cpu0 = process.cpuUsage();
  const children0 = childrenCpuSeconds();
  const started = performance.now();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const perCheck = [];
  const run = await runChecks({
    target: inputs.target,
    checks: inputs.selected,
    notSelected: inputs.notSelected,
    baseEnv: process.env,
    companies,
    onCheck: ({ phase, result }) => {
      if (phase === 'end') perCheck.push({ id: result.id, outcome: result.outcome, ms: result.durationMs });
    },
  });
  const runMs = performance.now() - started;
  clearInterval(sampler);
  const cpu = process.cpuUsage(cpu0);
  const integrationCpu = childrenCpuSeconds() - children0;

  const runId = newRunId(new Date(run.startedAt));
  const formats = FORMATS.filter((format) => format !== 'terminal');
  const signKey = generateKeyPairSync('ed25519').privateKey;
  const out = mkdtempSync(join(tmpdir(), 'eap-bench-report-'));
  const writes = [];
  let files;
  let report;
  try {
    for (let round = 0; round < WRITE_ROUNDS; round += 1) {
      const t0 = performance.now();
      report = buildReport({ run, target: inputs.target, suites: inputs.suites, harnessVersion: HARNESS_VERSION, runId });
      const written = writeReportFolder(report, { outDir: join(out, `r${round}`), formats, secrets: run.secrets, signKey, linkLatest: false });
      writes.push(performance.now() - t0);
      files = written.files.map((name) => ({ name, bytes: statSync(join(written.dir, name)).size }));
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  const checks = report.requirements.flatMap((requirement) => requirement.checks);
  return {
    mode,
    companies: companies ?? null,
    verdict: run.verdict,
    checks: perCheck.length,
    outcomes: Object.fromEntries(['pass', 'fail', 'warn', 'error', 'skip', 'waived'].map((outcome) => [outcome, perCheck.filter((check) => check.outcome === outcome).length])),
    slowest: [...perCheck].sort((a, b) => b.ms - a.ms).slice(0, 5),
    runMs,
    harnessCpuS: (cpu.user + cpu.system) / 1e6,
    integrationCpuS: integrationCpu,
    peakRss: Math.max(peakRss, process.resourceUsage().maxRSS * 1024),
    evidence: report.exchanges.length,
    expectations: checks.reduce((sum, check) => sum + (check.expectations?.length ?? 0), 0),
    writeMs: writes,
    writeMedianMs: median(writes),
    files,
  };
}

try {
  const result = await main();
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: error?.stack ?? String(error) })}\n`);
  process.exitCode = 1;
}
