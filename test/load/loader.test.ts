// Malformed suites and targets: every problem is reported with file:line:col and what was expected.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_NAMES } from '../../src/checks/registry.js';
import { formatDiagnostic } from '../../src/load/diagnostics.js';
import { loadSuites } from '../../src/load/load-suite.js';
import { loadTarget } from '../../src/load/load-target.js';

const dir = mkdtempSync(join(tmpdir(), 'eap-loader-'));
let n = 0;
function file(text: string): { path: string; display: string } {
  n += 1;
  const path = join(dir, `f${n}.yaml`);
  writeFileSync(path, text);
  return { path, display: `f${n}.yaml` };
}

const VALID_CHECK = `  - id: OAUTH-01
    title: t
    severity: blocker
    doc: https://example.com/doc
    companies: [acme]
    steps:
      - connect: acme
    expect:
      - requests: { path: /oauth/authorize, min: 1 }
`;
const suite = (checks: string) => `suite: oauth\nrequirement: EAP-1\nchecks:\n${checks}`;

describe('suites', () => {
  it('accepts a valid suite and builds the typed model', () => {
    const { suites, diagnostics } = loadSuites([file(suite(VALID_CHECK))], RULE_NAMES);
    expect(diagnostics).toEqual([]);
    expect(suites[0]!.checks[0]).toMatchObject({ id: 'OAUTH-01', requirement: 'EAP-1', steps: [{ kind: 'connect', company: 'acme', decision: 'approve' }], modes: ['oauth2'] });
  });

  const cases: { name: string; text: string; line: number; col: number; message: RegExp }[] = [
    { name: 'bad YAML', text: 'suite: oauth\nchecks: [\n', line: 3, col: 1, message: /invalid YAML/ },
    { name: 'unknown step', text: suite(VALID_CHECK.replace('- connect: acme', '- conect: acme')), line: 10, col: 9, message: /unknown name "conect" \(expected one of connect, sync/ },
    { name: 'wrong type', text: suite(VALID_CHECK.replace('companies: [acme]', 'companies: acme')), line: 8, col: 16, message: /expected array, got string "acme"/ },
    { name: 'bad severity', text: suite(VALID_CHECK.replace('severity: blocker', 'severity: critical')), line: 6, col: 15, message: /expected one of "blocker", "major", "minor", got "critical"/ },
    { name: 'missing property', text: suite(VALID_CHECK.replace('    title: t\n', '')), line: 4, col: 5, message: /missing required property "title"/ },
    { name: 'unknown property', text: suite(VALID_CHECK.replace('    title: t\n', '    title: t\n    tittle: x\n')), line: 6, col: 5, message: /unknown property "tittle"/ },
    { name: 'company not declared', text: suite(VALID_CHECK.replace('- connect: acme', '- connect: globex')), line: 10, col: 18, message: /company "globex" is not in this check's companies/ },
    { name: 'unknown rule', text: suite(VALID_CHECK.replace('- requests: { path: /oauth/authorize, min: 1 }', '- rule: no-such-rule')), line: 12, col: 15, message: /unknown rule "no-such-rule" \(expected one of/ },
    { name: 'mark never set', text: suite(VALID_CHECK.replace('min: 1 }', 'since: later, min: 1 }')), line: 12, col: 52, message: /mark "later" is not set by any step/ },
    { name: 'no count', text: suite(VALID_CHECK.replace(', min: 1', '')), line: 12, col: 19, message: /say how many/ },
    { name: 'two step kinds', text: suite(VALID_CHECK.replace('- connect: acme', '- connect: acme\n        sync: {}')), line: 10, col: 9, message: /a step has exactly one kind/ },
  ];
  for (const testCase of cases) {
    it(`reports ${testCase.name} with its place`, () => {
      const input = file(testCase.text);
      const { diagnostics } = loadSuites([input], RULE_NAMES);
      const match = diagnostics.find((diagnostic) => testCase.message.test(diagnostic.message));
      expect(match, diagnostics.map(formatDiagnostic).join('\n')).toBeDefined();
      expect({ file: match!.file, line: match!.line, col: match!.col }).toEqual({ file: input.display, line: testCase.line, col: testCase.col });
    });
  }

  it('reports duplicate ids across files, and a missing file, all at once', () => {
    const a = file(suite(VALID_CHECK));
    const b = file(suite(VALID_CHECK));
    const { diagnostics } = loadSuites([a, b, { path: join(dir, 'absent.yaml'), display: 'absent.yaml' }], RULE_NAMES);
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.message}`)).toEqual([
      `${b.display}:4:9 duplicate check id "OAUTH-01" (first defined in ${a.display}:4)`,
      'absent.yaml:0:0 file not found',
    ]);
  });

  it('prints an excerpt with a caret under the column', () => {
    const { diagnostics } = loadSuites([file(suite(VALID_CHECK.replace('severity: blocker', 'severity: critical')))], RULE_NAMES);
    const text = formatDiagnostic(diagnostics[0]!);
    expect(text.split('\n')).toEqual([
      expect.stringMatching(/^f\d+\.yaml:6:15: error: expected one of .* \(at checks\[0\]\.severity\)$/),
      '  |',
      '6 |     severity: critical',
      '  |               ^',
    ]);
  });
});

describe('targets', () => {
  const TARGET = `name: Acme connector
version: 2.1.0
auth:
  mode: oauth2
start:
  command: [node, server.mjs]
  env:
    ERP_TOKEN: \${ERP_TOKEN}
waivers:
  - check: OAUTH-01
    owner: ops@example.com
    reason: migrating
    expires: 2027-01-31
`;
  it('resolves ${VAR} from the environment and defaults the hooks', () => {
    const { target, diagnostics } = loadTarget(file(TARGET).path, 't.yaml', { ERP_TOKEN: 'x' }, new Set(['OAUTH-01']));
    expect(diagnostics).toEqual([]);
    expect(target).toMatchObject({ name: 'Acme connector', auth: { mode: 'oauth2' }, hooks: { connect: '/connect', callback: '/oauth/callback' }, launch: { kind: 'start', env: { ERP_TOKEN: 'x' } } });
    expect(target!.redirectUris).toEqual(['http://127.0.0.1:${PORT}/oauth/callback']);
  });

  it('reports an unset variable, an unknown waiver check and a missing exception with their places', () => {
    const text = TARGET.replace('mode: oauth2', 'mode: integrated-api-key').replace('check: OAUTH-01', 'check: OAUTH-99');
    const input = file(text);
    const first = loadTarget(input.path, input.display, {}, new Set(['OAUTH-01']));
    expect(first.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual(['4:3 missing required property "exception"']);
    const fixed = file(text.replace('mode: integrated-api-key', 'mode: integrated-api-key\n  exception: EX-1'));
    const second = loadTarget(fixed.path, fixed.display, {}, new Set(['OAUTH-01']));
    expect(second.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual([
      '9:16 environment variable "ERP_TOKEN" is not set',
      '11:12 waiver names unknown check "OAUTH-99"',
    ]);
    expect(second.target).toBeUndefined();
  });

  it('refuses both start and attach, and a plain-http redirect URI off loopback', () => {
    const input = file(`name: x\nversion: '1'\nauth: { mode: oauth2 }\noauth:\n  redirect_uris: ["http://partner.example/cb"]\nstart: { command: "node s.js" }\nattach: { url: "http://127.0.0.1:3000" }\n`);
    const { diagnostics } = loadTarget(input.path, input.display, {}, new Set());
    expect(diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual([
      expect.stringMatching(/^7:9 give either `start`/),
      '5:19 redirect URI "http://partner.example/cb" must use https (plain http only for localhost)',
    ]);
  });
});
