// What checks judge over, and what they return. Findings are data: a non-conformant integration
// never makes the harness throw.
import type { Check, Target } from '../model.js';
import type { Exchange } from '../simulator/recorder.js';
import type { Simulator } from '../simulator/index.js';
import type { Company } from '../simulator/world.js';

export type Outcome = 'pass' | 'fail' | 'warn' | 'error' | 'skip' | 'waived';

/** The judgement of one expectation. */
export interface Finding {
  /** `error`: the expectation could not be judged (nothing to judge, a precondition not met). */
  readonly outcome: 'pass' | 'fail' | 'warn' | 'error';
  /** One line: what was expected / what happened. */
  readonly message: string;
  readonly expected: string;
  readonly actual: string;
  /** Seqs of the exchanges the finding rests on. */
  readonly evidence: readonly number[];
}

/** Everything an expectation may look at, for one check. */
export interface CheckContext {
  readonly check: Check;
  readonly target: Target;
  readonly sim: Simulator;
  /** The exchanges recorded while the check ran, in seq order. */
  readonly exchanges: readonly Exchange[];
  /** The check's companies by alias. */
  readonly companies: ReadonlyMap<string, Company>;
  /** Mark name → first seq after it. */
  readonly marks: ReadonlyMap<string, number>;
  /** Results of `status` steps: alias → the `connected` values the integration reported, in order. */
  readonly statuses: ReadonlyMap<string, readonly unknown[]>;
  /** What the integration printed (stdout and stderr), when the harness started it. */
  readonly output?: { readonly stdout: string; readonly stderr: string };
}

/** A named rule: judgement that needs code (one file each under rules/). */
export interface Rule {
  readonly name: string;
  readonly description: string;
  judge(context: CheckContext, params: Readonly<Record<string, unknown>>): Finding;
}
