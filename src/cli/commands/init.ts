// `eap-conformance init`: writes a commented target file for the integration in the current folder,
// valid as it is, with the editor schema hint, so a partner's first run is one edit away.
import { existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatDiagnostics } from '../../load/diagnostics.js';
import { loadTarget } from '../../load/load-target.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError, type ExitCode } from '../exit-codes.js';

const USAGE = `Usage: eap-conformance init [--target FILE] [--mode oauth2|integrated-api-key] [--force]

Writes a target file (default target.yaml) describing the integration in this folder: its name and
version (from package.json when there is one), auth mode, redirect URI and scopes, hooks, and how to
start it. Edit it, then: eap-conformance validate --target FILE && eap-conformance run --target FILE
`;

const SCHEMA = fileURLToPath(new URL('../../../schemas/target.schema.json', import.meta.url));
const MODES = ['oauth2', 'integrated-api-key'] as const;
type Mode = (typeof MODES)[number];

export async function init(args: string[], context: CliContext): Promise<ExitCode> {
  const { values } = parseArgs({ args, options: { target: { type: 'string' }, mode: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    context.stdout(USAGE);
    return EXIT.ready;
  }
  const mode = (values.mode ?? 'oauth2') as Mode;
  if (!MODES.includes(mode)) throw new UsageError(`--mode must be oauth2 or integrated-api-key, got "${values.mode}"`);
  const file = resolve(context.cwd, values.target ?? 'target.yaml');
  if (existsSync(file) && !values.force) throw new UsageError(`${relative(context.cwd, file) || file} exists already (--force overwrites it)`);

  const text = targetTemplate({ ...identity(context.cwd), mode, schema: relative(dirname(file), SCHEMA).split('\\').join('/') });
  // what we write must load: a template that does not validate is our bug, and nothing is left behind
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  const { diagnostics } = loadTarget(temporary, basename(file), { PORT: '0' });
  if (diagnostics.length) {
    unlinkSync(temporary);
    context.stderr(formatDiagnostics(diagnostics));
    return EXIT.harnessError;
  }
  renameSync(temporary, file);
  const shown = relative(context.cwd, file) || file;
  context.stdout(
    [
      `wrote ${shown} (${mode})`,
      '',
      'Next:',
      `  1. check ${mode === 'oauth2' ? 'the start command, the redirect URI, the scopes and the hooks' : 'the start command, the exception reference and the hooks'} in ${shown}`,
      `  2. npx eap-conformance validate --target ${shown}`,
      `  3. npx eap-conformance run --target ${shown}`,
      '',
    ].join('\n'),
  );
  return EXIT.ready;
}

/** Name and version from ./package.json, else the folder's name. */
function identity(cwd: string): { name: string; version: string; start: string[] } {
  try {
    const pkg = JSON.parse(readFileSync(resolve(cwd, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown; scripts?: Record<string, unknown> };
    const name = typeof pkg.name === 'string' && pkg.name ? pkg.name : basename(cwd);
    const version = typeof pkg.version === 'string' && pkg.version ? pkg.version : '0.0.0';
    return { name, version, start: pkg.scripts && typeof pkg.scripts.start === 'string' ? ['npm', 'start'] : ['node', 'server.js'] };
  } catch {
    return { name: basename(cwd) || 'my-integration', version: '0.0.0', start: ['node', 'server.js'] };
  }
}

function targetTemplate(options: { name: string; version: string; start: string[]; mode: Mode; schema: string }): string {
  const auth =
    options.mode === 'oauth2'
      ? `auth:
  mode: oauth2                 # integrated API keys only under an exception Pleo approved
oauth:
  # the redirect URI registered with Pleo; \${PORT} is the port the harness gives your integration
  redirect_uris: ["http://127.0.0.1:\${PORT}/oauth/callback"]
  # the scopes your integration asks for: each must be used, and no more asked
  scopes: [export-jobs:read, export-jobs:write, export-items:read]
hooks:
  # the defaults: the harness's browser opens /connect; Pleo redirects to the callback
  health: /health
  connect: /connect
  callback: /oauth/callback
  sync: /sync
  # declare the optional hooks your integration has (checks that need them are skipped otherwise)
  # disconnect: /disconnect
  # status: /status
  # webhook: /webhooks/pleo`
      : `auth:
  mode: integrated-api-key
  exception: EAP-EXC-0000      # the reference of the exception Pleo approved for you
hooks:
  health: /health
  provision: /provision        # receives {"company_id", "api_key"} as a customer would paste it
  sync: /sync
  # disconnect: /disconnect
  # status: /status
  # webhook: /webhooks/pleo`;
  return `# yaml-language-server: $schema=${options.schema}
# What eap-conformance needs to know to test this integration. Secrets go in your environment and
# come in as \${VAR}, never in this file.
name: ${JSON.stringify(options.name)}
version: ${JSON.stringify(options.version)}
${auth}
# how the harness starts it: it sets PORT, PLEO_AUTH_URL, PLEO_API_URL, PLEO_CLIENT_ID,
# PLEO_CLIENT_SECRET, PLEO_REDIRECT_URI, PLEO_WEBHOOK_SECRET and NODE_EXTRA_CA_CERTS
start:
  command: ${JSON.stringify(options.start)}
  cwd: .
  # env: { DATABASE_URL: "\${DATABASE_URL}" }
# timeouts: { sync_ms: 30000, hook_ms: 15000 }   # how long the hooks may take to answer
# or, for one that is already running (then every PLEO_* value must be given to it by hand):
# attach: { url: "http://127.0.0.1:3000" }
# waivers:
#   - check: OPS-03
#     owner: you@example.com
#     reason: what is wrong, and when it is fixed
#     expires: "2027-03-31"
`;
}
