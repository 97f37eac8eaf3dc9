// `eap-conformance validate [--target FILE] [--suite FILE|DIR ...]`: checks the input files, runs nothing.
import { parseArgs } from 'node:util';
import { formatDiagnostics } from '../../load/diagnostics.js';
import type { CliContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { loadInputs } from '../load-inputs.js';

export async function validate(args: string[], context: CliContext): Promise<ExitCode> {
  const { values } = parseArgs({ args, options: { target: { type: 'string' }, suite: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    context.stdout('Usage: eap-conformance validate [--target FILE] [--suite FILE|DIR ...]\n\nValidates target and suite files against their schemas; runs nothing.\n');
    return EXIT.ready;
  }
  const inputs = loadInputs({ target: values.target, suites: values.suite ?? [], needTarget: true }, context);
  if (inputs.diagnostics.length) {
    context.stderr(formatDiagnostics(inputs.diagnostics));
    return EXIT.invalidInput;
  }
  context.stdout(`ok: ${inputs.suites.length} suite(s), ${inputs.selected.length} check(s), target "${inputs.target!.name}" ${inputs.target!.version}\n`);
  return EXIT.ready;
}
