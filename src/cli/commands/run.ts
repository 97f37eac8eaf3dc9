// `eap-conformance run`: every suite against the bundled reference integration, or --target FILE.
import { parseArgs } from 'node:util';
import { HarnessFault } from '../../iut/driver.js';
import { formatDiagnostics } from '../../load/diagnostics.js';
import { renderTerminal } from '../../report/terminal.js';
import { runChecks, type Verdict } from '../../runner/run.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError, type ExitCode } from '../exit-codes.js';
import { loadInputs } from '../load-inputs.js';

export const RUN_HELP = `Usage: eap-conformance run [--target FILE] [--suite FILE|DIR ...] [--only ID,...]

Runs the EAP suites against an integration: starts the Pleo staging simulator and the integration,
connects test companies through consent, drives the hooks, and judges the recorded traffic.
Without --target it runs against the bundled reference integration.

Options:
  --target FILE      the integration's target file (default: the bundled reference integration)
  --suite FILE|DIR   suite files or folders (repeatable; default: the standard suites)
  --only ID,...      run only these checks (the verdict cannot then be READY)
  --companies N      companies connected at once in the fleet check TEN-04 (default 10, at most 100)
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
      onCheck: ({ phase, check, result: checkResult, index, total }) => {
        const prefix = `[${index + 1}/${total}] ${check.id}`;
        if (context.isTty) {
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
  context.stdout(renderTerminal(result, { color: context.color }));
  return VERDICT_EXIT[result.verdict];
}
