// The recorder keeps 256 KiB of a body: the cut never leaves the first half of a token behind, where
// redaction could no longer recognise it.
import { expect, it } from 'vitest';
import { toRecordedBody } from '../../src/simulator/recorder.js';

const LIMIT = 256 * 1024;

it('cuts a long body before the token it would split, and keeps short ones whole', () => {
  const token = 'tok_' + 'A1b2C3d4'.repeat(6);
  const body = `${'{"note":"x"} '.repeat(Math.ceil(LIMIT / 13))}`.slice(0, LIMIT - 20) + ` "${token}"`;
  for (const input of [body, Buffer.from(body)]) {
    const recorded = toRecordedBody(input);
    expect(recorded.truncated).toBe(true);
    expect(recorded.body.endsWith(' "')).toBe(true);
    expect(recorded.body).not.toContain('tok_A1b2');
    expect(recorded.body.length).toBe(LIMIT - 20 + 2);
  }
  expect(toRecordedBody(`short "${token}"`)).toEqual({ body: `short "${token}"` });
  // a run longer than any secret (a base64 file) is cut where the limit falls
  const blob = 'QUJD'.repeat(LIMIT);
  expect(toRecordedBody(blob).body).toHaveLength(LIMIT);
});
