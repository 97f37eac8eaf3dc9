// Target files: YAML → schema → typed model. Secrets come only by reference (`${VAR}`), resolved
// here from the harness's environment; an unset variable is an input error with its place.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_HOOKS, DEFAULT_TIMEOUTS, ENV_VARIABLES, type EnvVariable, type HookName, type Launch, type Target, type Waiver } from '../model.js';
import type { Diagnostic } from './diagnostics.js';
import { loadYamlFile, type ParsedYaml } from './yaml-file.js';

export const TARGET_SCHEMA = JSON.parse(readFileSync(fileURLToPath(new URL('../../schemas/target.schema.json', import.meta.url)), 'utf8')) as object;

/** Variables the harness itself provides to a started integration: `${PORT}` etc. stay for later. */
const HARNESS_VARIABLES = new Set<string>(ENV_VARIABLES);

type Raw = Record<string, unknown>;

export function loadTarget(path: string, display: string, env: Readonly<Record<string, string | undefined>>, knownCheckIds?: ReadonlySet<string>): { target?: Target; diagnostics: Diagnostic[] } {
  const { parsed, diagnostics } = loadYamlFile(path, display, TARGET_SCHEMA);
  if (!parsed || diagnostics.length) return { diagnostics };
  const raw = parsed.data as Raw;
  const interpolate = (text: string, at: (string | number)[]): string =>
    text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
      if (HARNESS_VARIABLES.has(name)) return whole;
      const value = env[name];
      if (value === undefined) {
        diagnostics.push(parsed.at(at, `environment variable "${name}" is not set`));
        return '';
      }
      return value;
    });

  const start = raw.start as Raw | undefined;
  const attach = raw.attach as Raw | undefined;
  let launch: Launch | undefined;
  if (start && attach) diagnostics.push(parsed.at(['attach'], 'give either `start` (the harness starts the integration) or `attach` (it is running already), not both'));
  else if (start) {
    const startEnv: Record<string, string> = {};
    for (const [name, value] of Object.entries((start.env as Record<string, string> | undefined) ?? {})) startEnv[name] = interpolate(value, ['start', 'env', name]);
    launch = {
      kind: 'start',
      command: start.command as string | string[],
      cwd: resolve(dirname(path), (start.cwd as string | undefined) ?? '.'),
      env: startEnv,
      readyTimeoutMs: (start.ready_timeout_ms as number | undefined) ?? 15_000,
    };
  } else if (attach) launch = { kind: 'attach', url: interpolate(attach.url as string, ['attach', 'url']).replace(/\/$/, '') };
  else diagnostics.push(parsed.at([], 'say how to reach the integration: `start: {command: …}` or `attach: {url: …}`'));

  const hooksRaw = (raw.hooks as Partial<Record<HookName, string>> | undefined) ?? {};
  const oauth = (raw.oauth as Raw | undefined) ?? {};
  const timeouts = (raw.timeouts as Raw | undefined) ?? {};
  const hooks = { ...DEFAULT_HOOKS, ...hooksRaw };
  const redirectUris = (oauth.redirect_uris as string[] | undefined) ?? [`http://127.0.0.1:\${PORT}${hooks.callback}`];
  const envNames = Object.fromEntries(ENV_VARIABLES.map((name) => [name, ((raw.env_names as Raw | undefined)?.[name] as string | undefined) ?? name])) as Record<EnvVariable, string>;
  const waivers = ((raw.waivers as Waiver[] | undefined) ?? []).map((waiver) => ({ ...waiver }));
  waivers.forEach((waiver, index) => {
    if (knownCheckIds && !knownCheckIds.has(waiver.check)) diagnostics.push(parsed.at(['waivers', index, 'check'], `waiver names unknown check "${waiver.check}"`));
  });
  redirectUris.forEach((uri, index) => checkRedirectUri(parsed, uri, index, diagnostics));

  if (diagnostics.length || !launch) return { diagnostics };
  const auth = raw.auth as Target['auth'];
  return {
    diagnostics,
    target: {
      file: display,
      digest: createHash('sha256').update(readFileSync(path)).digest('hex'),
      name: raw.name as string,
      version: raw.version as string,
      auth: { mode: auth.mode, exception: auth.exception },
      redirectUris,
      scopes: (oauth.scopes as string[] | undefined) ?? [],
      clientName: (oauth.client_name as string | undefined) ?? (raw.name as string),
      hooks,
      declaredHooks: new Set(Object.keys(hooksRaw) as HookName[]),
      launch,
      timeouts: { hookMs: (timeouts.hook_ms as number | undefined) ?? DEFAULT_TIMEOUTS.hookMs, syncMs: (timeouts.sync_ms as number | undefined) ?? DEFAULT_TIMEOUTS.syncMs },
      envNames,
      waivers,
    },
  };
}

function checkRedirectUri(parsed: ParsedYaml, uri: string, index: number, diagnostics: Diagnostic[]): void {
  const at = ['oauth', 'redirect_uris', index];
  let url: URL;
  try {
    url = new URL(uri.replace(/\$\{PORT\}/g, '1'));
  } catch {
    diagnostics.push(parsed.at(at, `redirect URI "${uri}" is not an absolute URL`));
    return;
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && !loopback) diagnostics.push(parsed.at(at, `redirect URI "${uri}" must use https (plain http only for localhost)`));
}
