// The terminal table: verdict first, then one row per check with the one-line reason, the checks
// that need attention (fail, error, warn, waived) at the top.
import Table from 'cli-table3';
import { checksByAttention, type Report } from '../model.js';

const COLORS: Record<string, string> = { pass: '32', fail: '31', error: '35', warn: '33', skip: '90', 'not run': '90', waived: '36', READY: '32;1', 'READY WITH EXCEPTIONS': '36;1', 'NOT READY': '31;1', INCOMPLETE: '35;1' };

export function renderTerminal(report: Report, options: { color: boolean; width?: number }): string {
  const paint = (key: string, text = key): string => (options.color && COLORS[key] ? `\x1b[${COLORS[key]}m${text}\x1b[0m` : text);
  const table = new Table({
    head: ['check', 'severity', 'outcome', 'reason'],
    style: { head: options.color ? ['bold'] : [], border: options.color ? ['grey'] : [] },
    colWidths: [11, 10, 9, Math.max(30, (options.width ?? 120) - 36)],
    wordWrap: true,
  });
  const checks = checksByAttention(report);
  for (const check of checks.filter((one) => one.outcome !== 'not run')) table.push([check.id, check.severity, paint(check.outcome), check.message]);
  const notRun = checks.filter((check) => check.outcome === 'not run');
  if (notRun.length) {
    const blockers = notRun.filter((check) => check.severity === 'blocker').length;
    table.push([`${notRun.length} more`, blockers ? `${blockers} blocker` : '', paint('not run'), `${notRun[0]!.message}: ${notRun.map((check) => check.id).join(', ')}`]);
  }
  const summary = Object.entries(report.summary)
    .filter(([outcome, n]) => n > 0 && outcome !== 'not run')
    .map(([outcome, n]) => `${n} ${outcome}`)
    .join(', ');
  return [
    `${paint(report.verdict.value)} — ${report.verdict.rule}`,
    table.toString(),
    `${checks.length - notRun.length} check(s): ${summary || 'none'} in ${(report.durationMs / 1000).toFixed(1)} s${report.seed ? ` (seed ${report.seed})` : ''}${report.iutExit ? `; ${report.iutExit}` : ''}`,
    '',
  ].join('\n');
}
