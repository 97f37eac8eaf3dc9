// `eap-conformance verify <dir> [--pubkey FILE]`: checks a report folder against its manifest offline.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPublicKey, verifyReport } from '../../report/manifest.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError, type ExitCode } from '../exit-codes.js';

export async function verify(args: string[], context: CliContext): Promise<ExitCode> {
  const { values, positionals } = parseArgs({ args, options: { pubkey: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  if (values.help || positionals.length !== 1) {
    context.stdout('Usage: eap-conformance verify <dir> [--pubkey FILE]\n\nChecks every file of a report folder against manifest.json; with --pubkey (Ed25519, PEM) also the signature.\nExit codes: 0 intact, 4 changed or wrongly signed, 1 usage error.\n');
    return values.help ? EXIT.ready : EXIT.usage;
  }
  let publicKey;
  if (values.pubkey) {
    try {
      publicKey = loadPublicKey(readFileSync(resolve(context.cwd, values.pubkey), 'utf8'));
    } catch (error) {
      throw new UsageError(`--pubkey ${values.pubkey}: ${(error as Error).message}`);
    }
  }
  const result = verifyReport(resolve(context.cwd, positionals[0]!), publicKey);
  for (const problem of result.problems) context.stderr(`changed: ${problem}\n`);
  for (const note of result.notes) context.stderr(`note: ${note}\n`);
  context.stdout(result.ok ? `intact: ${positionals[0]}\n` : `NOT INTACT: ${positionals[0]} (${result.problems.length} problem(s))\n`);
  return result.ok ? EXIT.ready : EXIT.notReady;
}
