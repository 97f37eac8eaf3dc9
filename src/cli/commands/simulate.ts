// `eap-conformance simulate`: a local Pleo staging for hand testing. Prints the URLs, the client's
// credentials and the test companies, then serves until Ctrl-C.
import { parseArgs } from 'node:util';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import type { CliContext } from '../context.js';
import { EXIT, UsageError, type ExitCode } from '../exit-codes.js';

export const SIMULATE_HELP = `Usage: eap-conformance simulate [options]

Starts a local Pleo staging simulator (authorization server, API, webhooks) on 127.0.0.1 and
serves until Ctrl-C. Point your integration at the printed URLs and connect a test company in
your browser.

Options:
  --redirect-uri URI     your integration's redirect URI (repeatable)
                         default http://127.0.0.1:8080/oauth/callback
  --companies N|a,b,...  test companies to create (default acme,globex,initech)
  --auth-port PORT       port of the authorization server (default: a free port)
  --api-port PORT        port of the API (default: a free port)
  --client-id ID         OAuth client id to register (default: a fresh UUID)
  --client-secret S      client secret to register (default: a fresh random secret)
  --token-lifetime SEC   access token lifetime in seconds (default 900)
  --http                 serve plain HTTP instead of HTTPS with a run-local CA
  --discovery            also serve a discovery document (Pleo publishes none)
  -h, --help             show this help
`;

export async function simulate(args: string[], context: CliContext, onReady?: (sim: Simulator) => void): Promise<ExitCode> {
  const { values } = parseArgs({
    args,
    options: {
      'redirect-uri': { type: 'string', multiple: true },
      companies: { type: 'string' },
      'auth-port': { type: 'string' },
      'api-port': { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'token-lifetime': { type: 'string' },
      http: { type: 'boolean' },
      discovery: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    context.stdout(SIMULATE_HELP);
    return EXIT.ready;
  }
  const port = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0 || value > 65535) throw new UsageError(`--${name} must be a port number, got "${text}"`);
    return value;
  };
  const companiesText = values.companies ?? 'acme,globex,initech';
  const companies = /^\d+$/.test(companiesText) ? Number(companiesText) : companiesText.split(',').map((alias) => alias.trim()).filter(Boolean);
  const lifetime = values['token-lifetime'] === undefined ? undefined : Number(values['token-lifetime']);
  if (lifetime !== undefined && !(Number.isInteger(lifetime) && lifetime > 0)) throw new UsageError(`--token-lifetime must be a positive whole number of seconds`);

  let sim: Simulator;
  try {
    sim = await startSimulator({
      tls: !values.http,
      discovery: values.discovery ?? false,
      ports: { auth: port('auth-port', values['auth-port']), api: port('api-port', values['api-port']) },
      accessTokenLifetime: lifetime,
      companies,
      client: {
        client_id: values['client-id'],
        client_secret: values['client-secret'],
        redirect_uris: values['redirect-uri'] ?? ['http://127.0.0.1:8080/oauth/callback'],
      },
    });
  } catch (error) {
    context.stderr(`eap-conformance simulate: could not start the simulator: ${(error as Error).message}\n`);
    return EXIT.harnessError;
  }

  const bold = (text: string): string => (context.color ? `\x1b[1m${text}\x1b[0m` : text);
  const env = sim.env();
  const lines = [
    bold('Pleo staging simulator is running'),
    '',
    `  authorization server  ${sim.authUrl}   (/oauth/authorize, /oauth/token, /oauth/token/introspect)`,
    `  API                   ${sim.apiUrl}   (/v1/installations/me, /v3/export-jobs, ...)`,
    '',
    bold('OAuth client'),
    `  client_id      ${sim.client.client_id}`,
    `  client_secret  ${sim.client.client_secret}`,
    `  redirect_uris  ${sim.client.redirect_uris.join(' ')}`,
    `  scopes         ${sim.client.scope}`,
    `  client auth    client_secret_basic; PKCE S256 required`,
    '',
    bold('Test companies') + ' (pick one on the consent page)',
    ...[...sim.world.companies.values()].map((company) => `  ${company.alias.padEnd(10)} ${company.id}  ${company.name}`),
    '',
    bold('Environment for your integration'),
    ...Object.entries(env).map(([name, value]) => `  export ${name}=${shellQuote(value)}`),
    '',
    ...(sim.caFile
      ? [
          `The simulator serves HTTPS with a CA made for this run; NODE_EXTRA_CA_CERTS points Node at it.`,
          `Your browser does not know that CA: import ${sim.caFile} as a trusted authority, accept the warning on ${sim.authUrl} once, or start again with --http.`,
        ]
      : ['Plain HTTP (--http): clients such as openid-client need allowInsecureRequests.']),
    'Press Ctrl-C to stop.',
    '',
  ];
  context.stdout(lines.join('\n'));
  onReady?.(sim);
  const signal = await context.interrupted;
  context.stderr(`\n${signal}: stopping the simulator (${sim.recorder.size} exchanges recorded)\n`);
  await sim.close();
  return EXIT.ready;
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
