// The integration driver and the runner's fault handling: crash, hang, attach, a crash mid-run.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_NAMES } from '../../src/checks/registry.js';
import { freePort, HarnessFault, startIut } from '../../src/iut/driver.js';
import { loadSuites } from '../../src/load/load-suite.js';
import { loadTarget } from '../../src/load/load-target.js';
import { runChecks } from '../../src/runner/run.js';
import { Recorder } from '../../src/simulator/recorder.js';
import { SecretRegistry } from '../../src/simulator/secrets.js';

const dir = mkdtempSync(join(tmpdir(), 'eap-driver-'));

function targetFor(script: string, extra = ''): string {
  const scriptPath = join(dir, `iut-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(scriptPath, script);
  const targetPath = `${scriptPath}.target.yaml`;
  writeFileSync(targetPath, `name: test iut\nversion: '0'\nauth: { mode: oauth2 }\nstart:\n  command: [node, ${JSON.stringify(scriptPath)}]\n  ready_timeout_ms: 1500\n${extra}`);
  return targetPath;
}

function load(path: string) {
  const { target, diagnostics } = loadTarget(path, 'target.yaml', process.env);
  expect(diagnostics).toEqual([]);
  return target!;
}

const HEALTHY = `import http from 'node:http';
http.createServer((req, res) => { res.end(req.url === '/health' ? 'ok' : '{}'); }).listen(Number(process.env.PORT), '127.0.0.1');
console.log('listening');`;

describe('startIut', () => {
  const recorder = () => new Recorder(new SecretRegistry());

  it('starts a process with the environment contract, captures its output, and records hook calls', async () => {
    const path = targetFor(`${HEALTHY}\nconsole.error('api=' + process.env.PLEO_API_URL + ' port=' + process.env.PORT);`);
    const port = await freePort();
    const rec = recorder();
    const iut = await startIut({ target: load(path), port, pleoEnv: { PLEO_API_URL: 'https://127.0.0.1:1' }, baseEnv: process.env, recorder: rec });
    try {
      const response = await iut.call('sync');
      expect(response.status).toBe(200);
      expect(rec.exchanges().map((e) => [e.server, e.method, e.path])).toEqual([['iut', 'POST', '/sync']]);
      expect(iut.output.stdout).toContain('listening');
      expect(iut.output.stderr).toContain(`api=https://127.0.0.1:1 port=${port}`);
    } finally {
      await iut.close();
    }
  });

  it('reports a process that exits before it is ready, with its last output', async () => {
    const path = targetFor(`console.error('boom: missing config'); process.exit(3);`);
    const error = await startIut({ target: load(path), port: await freePort(), pleoEnv: {}, baseEnv: process.env, recorder: recorder() }).catch((e) => e);
    expect(error).toBeInstanceOf(HarnessFault);
    expect(error.message).toMatch(/exited with code 3 before it was ready; its last output:\nboom: missing config/);
  });

  it('gives up on a process that never becomes ready, and kills it', async () => {
    const path = targetFor(`setInterval(() => {}, 1000);`);
    const started = Date.now();
    const error = await startIut({ target: load(path), port: await freePort(), pleoEnv: {}, baseEnv: process.env, recorder: recorder() }).catch((e) => e);
    expect(error).toBeInstanceOf(HarnessFault);
    expect(error.message).toMatch(/not ready within 1500 ms/);
    expect(Date.now() - started).toBeLessThan(6000);
  });

  it('attaches to an integration that is already running', async () => {
    const server = createServer((req, res) => res.end(req.url === '/health' ? 'ok' : '{"connected":false}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const targetPath = join(dir, 'attach.yaml');
    writeFileSync(targetPath, `name: attached\nversion: '1'\nauth: { mode: oauth2 }\nattach: { url: "${url}" }\n`);
    try {
      const iut = await startIut({ target: load(targetPath), port: 0, pleoEnv: {}, baseEnv: process.env, recorder: recorder() });
      expect(iut.baseUrl).toBe(url);
      expect((await iut.call('status', { query: { company_id: 'x' } })).body).toBe('{"connected":false}');
      await iut.close();
    } finally {
      server.close();
    }
  });
});

describe('runner', () => {
  it('turns an integration that dies during a check into error, and the verdict into INCOMPLETE', async () => {
    // healthy until the first sync, then it crashes
    const path = targetFor(`import http from 'node:http';
http.createServer((req, res) => {
  if (req.url === '/sync') { console.error('fatal: cannot read property of undefined'); process.exit(1); }
  res.end('ok');
}).listen(Number(process.env.PORT), '127.0.0.1');`);
    const suitePath = join(dir, 'crash-suite.yaml');
    writeFileSync(suitePath, `suite: crash\nrequirement: EAP-4\nchecks:\n  - id: TEN-01\n    title: t\n    severity: blocker\n    doc: https://example.com\n    companies: [acme]\n    steps:\n      - sync: {}\n    expect:\n      - requests: { cross_company: true, count: 0 }\n  - id: REV-04\n    title: needs a status hook the target does not have\n    severity: major\n    doc: https://example.com\n    requires_hooks: [status]\n    companies: [acme]\n    steps:\n      - sync: {}\n    expect:\n      - requests: { cross_company: true, count: 0 }\n  - id: TEN-02\n    title: t2\n    severity: major\n    doc: https://example.com\n    companies: [acme]\n    steps:\n      - sync: {}\n    expect:\n      - requests: { cross_company: true, count: 0 }\n`);
    const { suites, diagnostics } = loadSuites([{ path: suitePath, display: 'crash-suite.yaml' }], RULE_NAMES);
    expect(diagnostics).toEqual([]);
    const result = await runChecks({ target: load(path), checks: suites[0]!.checks, notSelected: [], baseEnv: process.env });
    expect(result.results.map((r) => [r.id, r.outcome])).toEqual([
      ['TEN-01', 'error'],
      ['REV-04', 'skip'],
      ['TEN-02', 'error'],
    ]);
    for (const r of result.results.filter((r) => r.outcome === 'error')) expect(r.message).toMatch(/^step "sync 1": (the integration exited with code 1|the sync hook failed: .+)/);
    expect(result.verdict).toBe('INCOMPLETE');
    // each process is reported in the check it died in, not again in the skipped one after it
    expect(result.iutExit).toBe('the integration exited with code 1 during TEN-01; the integration exited with code 1 during TEN-02');
  });

  it('cannot judge blockers that need to restart an attached integration or read its output: error, INCOMPLETE, never READY', async () => {
    const server = createServer((req, res) => res.end(req.url === '/health' ? 'ok' : '{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const targetPath = join(dir, 'attach-restart.yaml');
    writeFileSync(targetPath, `name: attached\nversion: '1'\nauth: { mode: oauth2 }\nattach: { url: "http://127.0.0.1:${(server.address() as AddressInfo).port}" }\n`);
    const suitePath = join(dir, 'restart-suite.yaml');
    writeFileSync(suitePath, `suite: tls\nrequirement: EAP-6\nchecks:\n  - id: SEC-05\n    title: t\n    severity: blocker\n    doc: https://example.com\n    companies: [acme]\n    steps:\n      - restart-iut: { api: untrusted }\n      - sync: {}\n    expect:\n      - requests: { server: api, count: 0 }\n  - id: SEC-03\n    title: t\n    severity: blocker\n    doc: https://example.com\n    companies: [acme]\n    steps:\n      - sync: {}\n    expect:\n      - rule: no-secret-in-output\n`);
    const { suites, diagnostics } = loadSuites([{ path: suitePath, display: 'restart-suite.yaml' }], RULE_NAMES);
    expect(diagnostics).toEqual([]);
    try {
      const result = await runChecks({ target: load(targetPath), checks: suites[0]!.checks, notSelected: [], baseEnv: process.env });
      // SEC-05 needs a restart; SEC-03 needs the output the harness never saw
      expect(result.results.map((r) => [r.id, r.outcome])).toEqual([
        ['SEC-05', 'error'],
        ['SEC-03', 'error'],
      ]);
      expect(result.results[0]!.message).toMatch(/cannot do with an attached one/);
      expect(result.results[1]!.message).toMatch(/never saw its stdout and stderr/);
      expect(result.verdict).toBe('INCOMPLETE');
    } finally {
      server.close();
    }
  });

  it('does not pass a check whose integration dies after the last step, or whose traffic never settles', async () => {
    const dies = targetFor(`import http from 'node:http';
http.createServer(async (req, res) => {
  if (req.url === '/sync') await fetch(process.env.PLEO_API_URL + '/v3/export-jobs').catch(() => {});
  res.end('ok');
  if (req.url === '/sync') setTimeout(() => process.exit(2), 10);
}).listen(Number(process.env.PORT), '127.0.0.1');`);
    const busy = targetFor(
      `import http from 'node:http';
const poll = () => fetch(process.env.PLEO_API_URL + '/v3/export-jobs').catch(() => {});
http.createServer(async (req, res) => {
  // asked for its status, it looks the company up, answers, and leaves a runaway loop behind
  if (req.url.startsWith('/status')) {
    await poll();
    setInterval(poll, 20);
  }
  res.end(req.url.startsWith('/status') ? '{"connected":true}' : 'ok');
}).listen(Number(process.env.PORT), '127.0.0.1');`,
      'hooks:\n  status: /status\n',
    );
    const suite = (name: string, steps: string) => {
      const path = join(dir, `${name}.yaml`);
      writeFileSync(path, `suite: q\nrequirement: EAP-4\nchecks:\n  - id: TEN-01\n    title: t\n    severity: blocker\n    doc: https://example.com\n    companies: [acme]\n    steps:\n${steps}    expect:\n      - requests: { cross_company: true, count: 0 }\n`);
      const { suites, diagnostics } = loadSuites([{ path, display: `${name}.yaml` }], RULE_NAMES);
      expect(diagnostics).toEqual([]);
      return suites[0]!.checks;
    };
    // the wait keeps the check open well past the moment the process dies
    const died = await runChecks({ target: load(dies), checks: suite('dies', '      - sync: {}\n      - wait-quiet: { ms: 400 }\n'), notSelected: [], baseEnv: process.env });
    expect(died.results.map((r) => [r.id, r.outcome, r.message])).toEqual([['TEN-01', 'error', expect.stringMatching(/^not judged: the integration exited during the check \(.*code 2/)]]);
    expect(died.verdict).toBe('INCOMPLETE');
    const noisy = await runChecks({ target: load(busy), checks: suite('busy', '      - sync: {}\n      - status: acme\n'), notSelected: [], baseEnv: process.env });
    expect(noisy.results.map((r) => [r.id, r.outcome, r.message])).toEqual([['TEN-01', 'error', expect.stringMatching(/traffic did not settle/)]]);
    expect(noisy.verdict).toBe('INCOMPLETE');
  }, 30_000);

  it('cannot judge a check whose sync hook refuses the call (a wrong hook path, say)', async () => {
    const path = targetFor(`import http from 'node:http';
http.createServer((req, res) => {
  res.statusCode = req.url === '/health' ? 200 : 404;
  res.end(req.url === '/health' ? 'ok' : 'Cannot POST ' + req.url);
}).listen(Number(process.env.PORT), '127.0.0.1');`);
    const suitePath = join(dir, 'sync-404.yaml');
    writeFileSync(suitePath, `suite: s\nrequirement: EAP-4\nchecks:\n  - id: TEN-01\n    title: t\n    severity: blocker\n    doc: https://example.com\n    companies: [acme]\n    steps:\n      - sync: {}\n    expect:\n      - requests: { cross_company: true, count: 0 }\n`);
    const { suites, diagnostics } = loadSuites([{ path: suitePath, display: 'sync-404.yaml' }], RULE_NAMES);
    expect(diagnostics).toEqual([]);
    const result = await runChecks({ target: load(path), checks: suites[0]!.checks, notSelected: [], baseEnv: process.env });
    expect(result.results.map((r) => [r.id, r.outcome, r.message])).toEqual([['TEN-01', 'error', 'step "sync 1": sync answered 404 (is hooks.sync "/sync" right?): Cannot POST /sync']]);
  });

  it('cannot judge a check whose sync hook hangs: error after the target\'s timeouts.sync_ms, and the run goes on', async () => {
    const path = targetFor(
      `import http from 'node:http';
http.createServer((req, res) => {
  if (req.url === '/sync') return; // never answers
  res.end('ok');
}).listen(Number(process.env.PORT), '127.0.0.1');`,
      'timeouts: { sync_ms: 800 }\n',
    );
    const suitePath = join(dir, 'sync-hang.yaml');
    const check = (id: string, step: string) => `  - id: ${id}\n    title: t\n    severity: blocker\n    doc: https://example.com\n    companies: [acme]\n    steps:\n      - ${step}\n    expect:\n      - requests: { cross_company: true, count: 0 }\n`;
    writeFileSync(suitePath, `suite: s\nrequirement: EAP-4\nchecks:\n${check('TEN-01', 'sync: {}')}${check('TEN-02', 'mark: nothing')}`);
    const { suites, diagnostics } = loadSuites([{ path: suitePath, display: 'sync-hang.yaml' }], RULE_NAMES);
    expect(diagnostics).toEqual([]);
    const started = Date.now();
    const result = await runChecks({ target: load(path), checks: suites[0]!.checks, notSelected: [], baseEnv: process.env });
    expect(result.results.map((r) => [r.id, r.outcome])).toEqual([
      ['TEN-01', 'error'],
      ['TEN-02', 'pass'],
    ]);
    expect(result.results[0]!.message).toMatch(/^step "sync 1": .*sync hook.*800 ms/);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it('cannot judge a status it cannot read: error, not a failed REV-04', async () => {
    const path = targetFor(
      `import http from 'node:http';
http.createServer((req, res) => {
  res.setHeader('content-type', req.url.startsWith('/status') ? 'text/html' : 'text/plain');
  res.end(req.url.startsWith('/status') ? '<h1>Connected ✓</h1>' : 'ok');
}).listen(Number(process.env.PORT), '127.0.0.1');`,
      'hooks:\n  status: /status\n',
    );
    const suitePath = join(dir, 'status-html.yaml');
    writeFileSync(suitePath, `suite: s\nrequirement: EAP-3\nchecks:\n  - id: REV-04\n    title: t\n    severity: major\n    doc: https://example.com\n    requires_hooks: [status]\n    companies: [acme]\n    steps:\n      - status: acme\n    expect:\n      - rule: status-sequence\n        with: { company: acme, expect: [true] }\n`);
    const { suites, diagnostics } = loadSuites([{ path: suitePath, display: 'status-html.yaml' }], RULE_NAMES);
    expect(diagnostics).toEqual([]);
    const result = await runChecks({ target: load(path), checks: suites[0]!.checks, notSelected: [], baseEnv: process.env });
    expect(result.results.map((r) => [r.id, r.outcome, r.message])).toEqual([['REV-04', 'error', 'step "status acme": the status hook answered 200 "<h1>Connected ✓</h1>", not {"connected": true|false}']]);

    // a 404 that says {"connected": false} (a company it does not know) is read as an answer
    const unknown = targetFor(
      `import http from 'node:http';
http.createServer((req, res) => {
  res.statusCode = req.url.startsWith('/status') ? 404 : 200;
  res.end(req.url.startsWith('/status') ? '{"connected":false}' : 'ok');
}).listen(Number(process.env.PORT), '127.0.0.1');`,
      'hooks:\n  status: /status\n',
    );
    const read = await runChecks({ target: load(unknown), checks: suites[0]!.checks, notSelected: [], baseEnv: process.env });
    expect(read.results.map((r) => [r.id, r.outcome, r.message])).toEqual([['REV-04', 'fail', 'status of acme said [false]']]);
  });

  it('keeps the secrets the integration printed out of a harness error', async () => {
    const path = targetFor(`console.error('config: client_secret=' + process.env.PLEO_CLIENT_SECRET + ' webhook=' + process.env.PLEO_WEBHOOK_SECRET); process.exit(1);`);
    const error = await runChecks({ target: load(path), checks: [], notSelected: [], baseEnv: process.env }).catch((caught) => caught);
    expect(error).toBeInstanceOf(HarnessFault);
    expect(error.message).toContain('config: client_secret=‹client-secret#1› webhook=‹webhook-secret#1›');
    expect(error.message).not.toMatch(/whsec_/);
  });
});
