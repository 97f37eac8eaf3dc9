// The integration under test: started as a process with the environment contract (DESIGN.md §3),
// or attached to at a running URL. Its output is captured; every call the harness makes to it is
// recorded; a crash, a hang or a garbage answer becomes a HarnessFault, never a pass.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { request, type Dispatcher } from 'undici';
import { recordCall, type HookResponse } from './record-call.js';
import type { HookName, Target } from '../model.js';
import type { Recorder } from '../simulator/recorder.js';
import { HarnessFault } from './harness-fault.js';

export { HarnessFault } from './harness-fault.js';
export type { HookResponse } from './record-call.js';

export interface IutHandle {
  readonly baseUrl: string;
  readonly port: number;
  /** Everything the process printed so far. */
  readonly output: { readonly stdout: string; readonly stderr: string };
  /** Why the process is gone, if it is. */
  exitReason(): string | undefined;
  /** Waits up to `ms` for a process that may be dying (its hook call just failed) to be gone; then `exitReason()`. */
  waitExit(ms: number): Promise<string | undefined>;
  call(hook: HookName, init?: { method?: string; query?: Record<string, string>; json?: unknown; timeoutMs?: number }): Promise<HookResponse>;
  close(): Promise<void>;
}


/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface StartIutOptions {
  readonly target: Target;
  readonly port: number;
  /** The simulator's environment for the integration (DESIGN.md §3 names). */
  readonly pleoEnv: Record<string, string>;
  /** The harness's own environment (from the CLI context). */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  readonly recorder: Recorder;
  readonly dispatcher?: Dispatcher;
}

const OUTPUT_LIMIT = 4 * 1024 * 1024;

/** Starts (or attaches to) the integration and waits until its health hook answers 200. */
export async function startIut(options: StartIutOptions): Promise<IutHandle> {
  const { target, port, recorder } = options;
  const launch = target.launch;
  let child: ChildProcess | undefined;
  let exit: string | undefined;
  let closing = false;
  /** Settles when a started process has exited. */
  let exited: Promise<void> | undefined;
  const output = { stdout: '', stderr: '' };
  const baseUrl = launch.kind === 'attach' ? launch.url : `http://127.0.0.1:${port}`;

  if (launch.kind === 'start') {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.baseEnv)) if (value !== undefined) env[name] = value;
    for (const [name, value] of Object.entries(options.pleoEnv)) {
      const renamed = (target.envNames as Record<string, string>)[name] ?? name;
      env[renamed] = value;
    }
    env[target.envNames.PORT] = String(port);
    for (const [name, value] of Object.entries(launch.env)) env[name] = value.replace(/\$\{PORT\}/g, String(port));
    const [command, ...args] = typeof launch.command === 'string' ? [launch.command] : launch.command;
    child = spawn(command!, args, { cwd: launch.cwd, env, shell: typeof launch.command === 'string', detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => {
      if (output.stdout.length < OUTPUT_LIMIT) output.stdout += chunk.toString('utf8');
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (output.stderr.length < OUTPUT_LIMIT) output.stderr += chunk.toString('utf8');
    });
    child.once('error', (error) => {
      exit = `could not start "${command}": ${error.message}`;
    });
    child.once('exit', (code, signal) => {
      if (closing) return;
      exit ??= signal ? `the integration was killed by ${signal}` : `the integration exited with code ${code}`;
    });
    exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
  }

  const call: IutHandle['call'] = async (hook, init = {}) => {
    if (exit) throw new HarnessFault(`${exit} before the ${hook} hook was called${tail(output.stderr)}`);
    const url = new URL(target.hooks[hook], baseUrl);
    for (const [name, value] of Object.entries(init.query ?? {})) url.searchParams.set(name, value);
    const method = init.method ?? (hook === 'health' || hook === 'status' || hook === 'connect' ? 'GET' : 'POST');
    const body = init.json === undefined ? undefined : JSON.stringify(init.json);
    const headers: Record<string, string> = { 'user-agent': 'eap-conformance harness' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return recordCall(recorder, { method, url, headers, body, timeoutMs: init.timeoutMs ?? target.timeouts.hookMs, dispatcher: options.dispatcher, what: `the ${hook} hook`, endpoint: `${method} ${hook}`, exitReason: () => exit });
  };

  const handle: IutHandle = {
    baseUrl,
    port,
    output,
    exitReason: () => exit,
    async waitExit(ms) {
      if (!exit && exited) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
        clearTimeout(timer);
      }
      return exit;
    },
    call,
    async close() {
      closing = true;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
      killTree(child, 'SIGTERM');
      const timer = setTimeout(() => killTree(child!, 'SIGKILL'), 3_000);
      await gone;
      clearTimeout(timer);
    },
  };

  const timeoutMs = launch.kind === 'start' ? launch.readyTimeoutMs : 10_000;
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exit) {
      await handle.close();
      throw new HarnessFault(`${exit} before it was ready${tail(output.stderr)}`);
    }
    try {
      const response = await request(new URL(target.hooks.health, baseUrl), { method: 'GET', headersTimeout: 1_000, bodyTimeout: 1_000 });
      await response.body.dump();
      if (response.statusCode === 200) return handle;
      last = `health answered ${response.statusCode}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await handle.close();
  throw new HarnessFault(`the integration was not ready within ${timeoutMs} ms (${last})${tail(output.stderr)}`);
}

function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

function tail(text: string): string {
  const lines = text.trim().split('\n').slice(-5).join('\n');
  return lines ? `; its last output:\n${lines}` : '';
}
