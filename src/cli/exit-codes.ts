/** Exit codes of every command (DESIGN.md §7). */
export const EXIT = {
  ready: 0,
  usage: 1,
  invalidInput: 2,
  harnessError: 3,
  notReady: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A mistake in the command line: printed with the usage hint, exit 1. */
export class UsageError extends Error {}
