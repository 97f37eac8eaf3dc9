// SEC-03: no secret in the integration's stdout or stderr (Pleo: never log tokens or keys).
import type { Rule } from '../types.js';
import { pass, problemsFinding, secretsIn, unjudged } from './shared.js';

export const noSecretInOutput: Rule = {
  name: 'no-secret-in-output',
  description: 'the integration’s stdout and stderr contain no credential',
  judge(context) {
    if (!context.output) return unjudged('the harness did not start the integration, so it never saw its stdout and stderr', 'no credential in the logs');
    const problems = (['stdout', 'stderr'] as const).flatMap((stream) => {
      const found = secretsIn(context.output![stream], context);
      return found.length ? [{ problem: `${stream} contains ${found.join(', ')}` }] : [];
    });
    return problems.length ? problemsFinding(problems, 'no credential in the logs') : pass('no credential in stdout or stderr');
  },
};
