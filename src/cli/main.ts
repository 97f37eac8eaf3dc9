// The command line: `eap-conformance <command> [options]`. A plain function over node:util
// parseArgs, so tests can call it; bin/eap-conformance.js is the thin wrapper.
import { processContext, type CliContext } from './context.js';
import { init } from './commands/init.js';
import { list } from './commands/list.js';
import { report } from './commands/report.js';
import { run } from './commands/run.js';
import { simulate } from './commands/simulate.js';
import { validate } from './commands/validate.js';
import { verify } from './commands/verify.js';
import { EXIT, UsageError, type ExitCode } from './exit-codes.js';

export const HELP = `Usage: eap-conformance <command> [options]

Commands:
  init       write a target file for the integration in this folder
  run        run the EAP suites against an integration (default: the bundled reference)
  validate   check target and suite files, run nothing
  list       list the checks of the suites
  report     re-render a report folder's formats from its report.json
  verify     check a report folder against its manifest (and signature)
  simulate   start a local Pleo staging simulator for hand testing
  help       show this help

Run "eap-conformance <command> --help" for a command's options.
Exit codes: 0 ready, 1 usage error, 2 invalid suite or target, 3 harness error, 4 not ready.
`;

const COMMANDS: Record<string, (args: string[], context: CliContext) => Promise<ExitCode>> = { init, run, validate, list, simulate, report, verify };

/** Runs one command line; returns the exit code. */
export async function main(argv: string[], context: CliContext = processContext()): Promise<ExitCode> {
  const [command, ...args] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    context.stdout(HELP);
    return command === undefined ? EXIT.usage : EXIT.ready;
  }
  const handler = COMMANDS[command];
  if (!handler) {
    context.stderr(`eap-conformance: unknown command "${command}"\n\n${HELP}`);
    return EXIT.usage;
  }
  try {
    return await handler(args, context);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      context.stderr(`eap-conformance ${command}: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
    context.stderr(`eap-conformance ${command}: harness error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.harnessError;
  }
}
