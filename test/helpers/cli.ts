// A CliContext that collects output, for calling the CLI's main() in-process.
import type { CliContext } from '../../src/cli/context.js';

export function fakeContext(env: Record<string, string | undefined> = process.env, cwd = process.cwd()) {
  let out = '';
  let err = '';
  let stop: (signal: string) => void = () => {};
  const interrupted = new Promise<string>((resolve) => (stop = resolve));
  const context: CliContext = {
    env,
    cwd,
    isTty: false,
    stderrIsTty: false,
    color: false,
    stdout: (text) => void (out += text),
    stderr: (text) => void (err += text),
    interrupted,
  };
  return { context, stdout: () => out, stderr: () => err, interrupt: (signal = 'SIGINT') => stop(signal) };
}
