// The one reader of the process environment: env, cwd and TTY are read here and passed down frozen.

/** Where output goes and what the terminal can do. */
export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** stdout is a terminal (the table may use colour). */
  readonly isTty: boolean;
  /** stderr is a terminal (progress may redraw one line). */
  readonly stderrIsTty: boolean;
  readonly color: boolean;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Resolves when the user asks to stop (Ctrl-C, SIGTERM). */
  readonly interrupted: Promise<string>;
}

export function processContext(): CliContext {
  const isTty = Boolean(process.stdout.isTTY);
  const env = Object.freeze({ ...process.env });
  const interrupted = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  return Object.freeze({
    env,
    cwd: process.cwd(),
    isTty,
    stderrIsTty: Boolean(process.stderr.isTTY),
    // no-color.org: any non-empty NO_COLOR turns colour off
    color: isTty && !env.NO_COLOR,
    stdout: (text: string) => void process.stdout.write(text),
    stderr: (text: string) => void process.stderr.write(text),
    interrupted,
  });
}
