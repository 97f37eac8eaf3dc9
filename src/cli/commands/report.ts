// `eap-conformance report <dir>`: re-renders html, junit and md from report.json (and the manifest).
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPrivateKey } from '../../report/manifest.js';
import { readReport } from '../../report/read.js';
import { writeReportFolder } from '../../report/write.js';
import { FILE_WRITERS, renderTerminal, type FileFormat } from '../../report/writers/index.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError, type ExitCode } from '../exit-codes.js';

export async function report(args: string[], context: CliContext): Promise<ExitCode> {
  const { values, positionals } = parseArgs({ args, options: { 'sign-key': { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  if (values.help || positionals.length !== 1) {
    context.stdout('Usage: eap-conformance report <dir> [--sign-key FILE]\n\nRe-renders report.html, junit.xml and summary.md from <dir>/report.json, rewrites the manifest, and prints the table.\n');
    return values.help ? EXIT.ready : EXIT.usage;
  }
  const given = resolve(context.cwd, positionals[0]!);
  const file = join(given, 'report.json');
  if (!existsSync(file)) throw new UsageError(`${file} does not exist`);
  // reports/latest is a link: rewrite the folder it points at, and leave the link as it is
  const dir = realpathSync(given);
  let parsed;
  try {
    parsed = readReport(file);
  } catch (error) {
    context.stderr(`eap-conformance report: ${(error as Error).message}\n`);
    return EXIT.invalidInput;
  }
  const signKey = values['sign-key'] ? loadPrivateKey(readFileSync(resolve(context.cwd, values['sign-key']), 'utf8')) : undefined;
  const written = writeReportFolder(parsed, { outDir: dir, formats: Object.keys(FILE_WRITERS) as FileFormat[], signKey });
  context.stderr(`report: ${written.dir} (${written.files.join(', ')})\n`);
  context.stdout(renderTerminal(parsed, { color: context.color }));
  return EXIT.ready;
}
