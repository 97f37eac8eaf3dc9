// junit.xml: one testsuite per requirement, one testcase per check. Findings are <failure>, harness
// errors <error>, checks skipped or not run <skipped>; warnings pass with a note in <system-out>.
import type { Report } from '../model.js';

export function xmlEscape(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[<>&"']/g, (char) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[char]};`);
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

export function renderJunit(report: Report): string {
  const suites = report.requirements.map((requirement) => {
    const count = (outcomes: string[]): number => requirement.checks.filter((check) => outcomes.includes(check.outcome)).length;
    const time = requirement.checks.reduce((sum, check) => sum + check.durationMs, 0);
    const cases = requirement.checks.map((check) => {
      const attributes = `name="${xmlEscape(`${check.id} ${check.title}`)}" classname="eap-conformance.${xmlEscape(check.suite)}" time="${seconds(check.durationMs)}"`;
      const detail = check.expectations
        .filter((expectation) => expectation.outcome !== 'pass')
        .map((expectation) => `${expectation.source}\n  expected: ${expectation.expected}\n  actual:   ${expectation.actual}`)
        .join('\n');
      switch (check.outcome) {
        case 'fail':
          return `    <testcase ${attributes}>\n      <failure message="${xmlEscape(check.message)}" type="${check.severity}">${xmlEscape(`${detail}\nsee ${check.doc}`)}</failure>\n    </testcase>`;
        case 'error':
          return `    <testcase ${attributes}>\n      <error message="${xmlEscape(check.message)}" type="harness-error">${xmlEscape(check.message)}</error>\n    </testcase>`;
        case 'skip':
        case 'not run':
          return `    <testcase ${attributes}>\n      <skipped message="${xmlEscape(check.message)}"/>\n    </testcase>`;
        case 'waived':
          return `    <testcase ${attributes}>\n      <skipped message="${xmlEscape(`waived by ${check.waiver?.owner} until ${check.waiver?.expires}: ${check.waiver?.reason}; ${check.message}`)}"/>\n    </testcase>`;
        case 'warn':
          return `    <testcase ${attributes}>\n      <system-out>${xmlEscape(`warning: ${check.message}`)}</system-out>\n    </testcase>`;
        case 'pass':
          return `    <testcase ${attributes}/>`;
        default: {
          const never: never = check.outcome;
          return never;
        }
      }
    });
    return `  <testsuite name="${xmlEscape(`${requirement.id} ${requirement.title}`)}" tests="${requirement.checks.length}" failures="${count(['fail'])}" errors="${count(['error'])}" skipped="${count(['skip', 'not run', 'waived'])}" time="${seconds(time)}" timestamp="${report.startedAt.replace(/\.\d+Z$/, '')}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const total = report.requirements.reduce((sum, requirement) => sum + requirement.checks.length, 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xmlEscape(`eap-conformance: ${report.target.name} ${report.target.version} — ${report.verdict.value}`)}" tests="${total}" failures="${report.summary.fail}" errors="${report.summary.error}" skipped="${report.summary.skip + report.summary['not run'] + report.summary.waived}" time="${seconds(report.durationMs)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
