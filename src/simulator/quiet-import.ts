// oidc-provider prints two warnings that say nothing to our users: "Unsupported runtime" on
// Node 20 at import (it works on 20.12+, measured), and the one-time note that the request body was
// parsed upstream (the simulator reads bodies itself to record them). Only these two are dropped.
const NOISE = [/^oidc-provider WARNING: Unsupported runtime/, /^oidc-provider WARNING: already parsed request body/];

let installed = false;

function installFilter(): void {
  if (installed) return;
  installed = true;
  const warn = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    // eslint-disable-next-line no-control-regex
    const text = typeof args[0] === 'string' ? args[0].replace(/\x1b\[[\d;]*m/g, '') : '';
    if (NOISE.some((pattern) => pattern.test(text))) return;
    warn(...args);
  };
}

/** Imports oidc-provider without its known-noise warnings. */
export async function importOidcProvider(): Promise<typeof import('oidc-provider')> {
  installFilter();
  return import('oidc-provider');
}
