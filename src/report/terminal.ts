// The terminal table: verdict first, then one row per check with the one-line reason.
import Table from 'cli-table3';
import type { RunResult } from '../runner/run.js';

const COLORS: Record<string, string> = { pass: '32', fail: '31', error: '35', warn: '33', skip: '90', waived: '36', READY: '32;1', 'READY WITH EXCEPTIONS': '36;1', 'NOT READY': '31;1', INCOMPLETE: '35;1' };

export function renderTerminal(run: RunResult, options: { color: boolean; width?: number }): string {
  const paint = (key: string, text = key): string => (options.color && COLORS[key] ? `\x1b[${COLORS[key]}m${text}\x1b[0m` : text);
  const table = new Table({
    head: ['check', 'severity', 'outcome', 'reason'],
    style: { head: options.color ? ['bold'] : [], border: options.color ? ['grey'] : [] },
    colWidths: [11, 10, 9, Math.max(30, (options.width ?? 120) - 36)],
    wordWrap: true,
  });
  for (const result of run.results) table.push([result.id, result.severity, paint(result.outcome), result.message]);
  if (run.notRun.length) {
    const blockers = run.notRun.filter((check) => check.severity === 'blocker').length;
    table.push([`${run.notRun.length} more`, blockers ? `${blockers} blocker` : '', paint('skip', 'not run'), `${run.notRun[0]!.reason}: ${run.notRun.map((check) => check.id).join(', ')}`]);
  }
  const counts = new Map<string, number>();
  for (const result of run.results) counts.set(result.outcome, (counts.get(result.outcome) ?? 0) + 1);
  const summary = [...counts.entries()].map(([outcome, n]) => `${n} ${outcome}`).join(', ');
  return [
    `${paint(run.verdict)} — ${run.verdictReason}`,
    table.toString(),
    `${run.results.length} check(s): ${summary || 'none'} in ${(run.durationMs / 1000).toFixed(1)} s${run.iutExit ? `; ${run.iutExit}` : ''}`,
    '',
  ].join('\n');
}
