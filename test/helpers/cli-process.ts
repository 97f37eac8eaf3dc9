// The CLI as a child process (no TTY, no colour), built from src/ when dist/ is stale.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './run-fixture.js';

const BIN = join(ROOT, 'bin/eap-conformance.js');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export function runCli(args: string[], timeoutMs = 90_000, cwd = ROOT): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

function newest(dir: string, filter: (name: string) => boolean): number {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && filter(entry.name)) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/** Compiles src/ to dist/ unless dist/ is newer. */
export function buildOnce(): void {
  const src = Math.max(newest(join(ROOT, 'src'), (name) => name.endsWith('.ts')), newest(join(ROOT, 'schemas'), () => true));
  const dist = newest(join(ROOT, 'dist'), (name) => name.endsWith('.js'));
  if (!dist || dist < src) execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: ROOT, stdio: 'inherit' });
}
