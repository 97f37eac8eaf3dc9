// `eap-conformance run`: every suite against the bundled reference integration, or --target FILE.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { HarnessFault } from '../../iut/driver.js';
import { formatDiagnostics } from '../../load/diagnostics.js';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadPrivateKey } from '../../report/manifest.js';
import { buildReport, newRunId } from '../../report/model.js';
import { writeReportFolder } from '../../report/write.js';
import { FORMATS, renderTerminal, type FileFormat, type Format } from '../../report/writers/index.js';
import { runChecks, type Verdict } from '../../runner/run.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError, type ExitCode } from '../exit-codes.js';
import { HARNESS_VERSION, loadInputs } from '../load-inputs.js';

export const RUN_HELP = `Usage: eap-conformance run [--target FILE] [--suite FILE|DIR ...] [--only ID,...]

Runs the EAP suites against an integration: starts the Pleo staging simulator and the integration,
connects test companies through consent, drives the hooks, and judges the recorded traffic.
Without --target it runs against the bundled reference integration.

Options:
  --target FILE      the integration's target file (default: the bundled reference integration)
  --suite FILE|DIR   suite files or folders (repeatable; default: the standard suites)
  --only ID,...      run only these checks (a blocker left out makes the verdict INCOMPLETE)
  --companies N      companies connected at once in the fleet check TEN-04 (default 10, at most 100)
  --seed TEXT        seed of the simulator's data (company ids, jobs, items, canaries): the same seed
                     creates the same data, to repeat a run (default: a fresh seed, in the report)
  --out DIR          where the report goes (default reports/<run-id>/, and reports/latest points at it)
  --format LIST      comma-separated: terminal,json,html,junit,md (default: all)
  --sign-key FILE    sign the manifest with this Ed25519 private key (PEM)
  -h, --help         show this help

Exit codes: 0 ready, 1 usage error, 2 invalid suite or target, 3 harness error or incomplete, 4 not ready.
`;

const VERDICT_EXIT: Record<Verdict, ExitCode> = {
  READY: EXIT.ready,
  'READY WITH EXCEPTIONS': EXIT.ready,
  'NOT READY': EXIT.notReady,
  INCOMPLETE: EXIT.harnessError,
};

export async function run(args: string[], context: CliContext): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      target: { type: 'string' },
      suite: { type: 'string', multiple: true },
      only: { type: 'string' },
      companies: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string' },
      'sign-key': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    context.stdout(RUN_HELP);
    return EXIT.ready;
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}" (did you mean --target ${positionals[0]}?)`);
  const companies = values.companies === undefined ? undefined : Number(values.companies);
  if (companies !== undefined && !(Number.isInteger(companies) && companies >= 1 && companies <= 100)) throw new UsageError(`--companies must be a whole number from 1 to 100, got "${values.companies}"`);
  if (values.seed !== undefined && !/^[\x21-\x7e]{1,64}$/.test(values.seed)) throw new UsageError(`--seed must be 1 to 64 printable characters without spaces, got "${values.seed}"`);
  const seed = values.seed ?? randomBytes(4).toString('hex');
  const formats = (values.format ?? FORMATS.join(',')).split(',').map((format) => format.trim()).filter(Boolean);
  const unknownFormat = formats.find((format) => !FORMATS.includes(format as Format));
  if (unknownFormat) throw new UsageError(`unknown format "${unknownFormat}" (expected some of ${FORMATS.join(', ')})`);
  let signKey;
  if (values['sign-key']) {
    try {
      signKey = loadPrivateKey(readFileSync(resolve(context.cwd, values['sign-key']), 'utf8'));
    } catch (error) {
      throw new UsageError(`--sign-key ${values['sign-key']}: ${(error as Error).message}`);
    }
    if (signKey.asymmetricKeyType !== 'ed25519') throw new UsageError(`--sign-key ${values['sign-key']} is not an Ed25519 private key`);
  }
  const inputs = loadInputs({ target: values.target, suites: values.suite ?? [], only: values.only, needTarget: true }, context);
  if (inputs.diagnostics.length) {
    context.stderr(formatDiagnostics(inputs.diagnostics));
    return EXIT.invalidInput;
  }
  const target = inputs.target!;
  context.stderr(`eap-conformance: ${inputs.selected.length} check(s) against ${target.name} ${target.version}\n`);
  let result;
  try {
    result = await runChecks({
      target,
      checks: inputs.selected,
      notSelected: inputs.notSelected,
      baseEnv: context.env,
      companies,
      seed,
      onCheck: ({ phase, check, result: checkResult, index, total }) => {
        const prefix = `[${index + 1}/${total}] ${check.id}`;
        if (context.stderrIsTty) {
          if (phase === 'start') context.stderr(`\r\x1b[K${prefix} ${check.title}…`);
          else context.stderr(`\r\x1b[K`);
        } else if (phase === 'end') context.stderr(`${prefix} ${checkResult!.outcome} (${checkResult!.durationMs} ms)\n`);
      },
    });
  } catch (error) {
    if (error instanceof HarnessFault) {
      context.stderr(`eap-conformance run: harness error: ${error.message}\n`);
      return EXIT.harnessError;
    }
    throw error;
  }
  const runId = newRunId(new Date(result.startedAt));
  const report = buildReport({ run: result, target, suites: inputs.suites, harnessVersion: HARNESS_VERSION, runId });
  const fileFormats = formats.filter((format): format is FileFormat => format !== 'terminal');
  if (fileFormats.length) {
    const outDir = values.out ? resolve(context.cwd, values.out) : join(context.cwd, 'reports', runId);
    try {
      const written = writeReportFolder(report, { outDir, formats: fileFormats, secrets: result.secrets, signKey, linkLatest: !values.out });
      context.stderr(`report: ${written.dir} (${written.files.join(', ')})\n`);
    } catch (error) {
      context.stderr(`eap-conformance run: could not write the report: ${(error as Error).message}\n`);
      return EXIT.harnessError;
    }
  }
  if (formats.includes('terminal')) context.stdout(result.secrets.redact(renderTerminal(report, { color: context.color })));
  return VERDICT_EXIT[result.verdict];
}
