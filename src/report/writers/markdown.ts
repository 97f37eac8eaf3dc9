// summary.md: fits a pull-request comment or GITHUB_STEP_SUMMARY — verdict, matrix, what failed.
import { checksByAttention, type Report } from '../model.js';

const ICON: Record<string, string> = { pass: '✅', fail: '❌', error: '💥', warn: '⚠️', skip: '➖', 'not run': '➖', waived: '🏷️' };
const LIMIT = 60_000;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function renderMarkdown(report: Report): string {
  const lines = [
    `## ${report.verdict.value === 'READY' ? '✅' : report.verdict.value === 'READY WITH EXCEPTIONS' ? '🏷️' : report.verdict.value === 'NOT READY' ? '❌' : '💥'} EAP readiness: **${report.verdict.value}**`,
    '',
    `${cell(report.verdict.rule)}`,
    '',
    `**${cell(report.target.name)}** ${cell(report.target.version)} · ${report.target.authMode}${report.target.exception ? ` (exception ${cell(report.target.exception)})` : ''} · eap-conformance ${report.harness.version} · run \`${report.runId}\``,
    '',
    '| requirement | pass | fail | error | warn | other |',
    '|---|---|---|---|---|---|',
    ...report.requirements.map((requirement) => {
      const count = (outcome: string): number => requirement.checks.filter((check) => check.outcome === outcome).length;
      const other = requirement.checks.length - count('pass') - count('fail') - count('error') - count('warn');
      return `| ${requirement.id} ${cell(requirement.title)} | ${count('pass')} | ${count('fail')} | ${count('error')} | ${count('warn')} | ${other} |`;
    }),
    '',
  ];
  const attention = checksByAttention(report).filter((check) => ['fail', 'error', 'warn', 'waived'].includes(check.outcome));
  if (attention.length) {
    lines.push('### Needs attention', '');
    for (const check of attention) {
      lines.push(`- ${ICON[check.outcome]} **${check.id}** (${check.severity}, ${check.outcome}) ${cell(check.title)}  `, `  ${cell(check.message)}${check.waiver ? ` — waived by ${cell(check.waiver.owner)} until ${check.waiver.expires}: ${cell(check.waiver.reason)}` : ''}  `, `  [${check.doc}](${check.doc})`);
    }
    lines.push('');
  }
  lines.push('<details><summary>All checks</summary>', '', '| check | severity | outcome | title |', '|---|---|---|---|');
  for (const requirement of report.requirements) for (const check of requirement.checks) lines.push(`| ${check.id} | ${check.severity} | ${ICON[check.outcome]} ${check.outcome} | ${cell(check.title)} |`);
  lines.push('', '</details>', '');
  let text = lines.join('\n');
  if (text.length > LIMIT) text = `${text.slice(0, LIMIT)}\n\n… (cut; see report.html)\n`;
  return text;
}
