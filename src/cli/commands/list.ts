// `eap-conformance list [--suite FILE|DIR ...]`: the checks of the suites, one line each.
import { parseArgs } from 'node:util';
import { formatDiagnostics } from '../../load/diagnostics.js';
import type { CliContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { loadInputs } from '../load-inputs.js';

export async function list(args: string[], context: CliContext): Promise<ExitCode> {
  const { values } = parseArgs({ args, options: { suite: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    context.stdout('Usage: eap-conformance list [--suite FILE|DIR ...]\n\nLists the checks of the suites.\n');
    return EXIT.ready;
  }
  const inputs = loadInputs({ suites: values.suite ?? [], needTarget: false }, context);
  if (inputs.diagnostics.length) {
    context.stderr(formatDiagnostics(inputs.diagnostics));
    return EXIT.invalidInput;
  }
  for (const check of inputs.selected) context.stdout(`${check.id.padEnd(9)} ${check.requirement}  ${check.severity.padEnd(7)}  ${check.title}\n`);
  return EXIT.ready;
}
