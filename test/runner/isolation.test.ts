// Checks do not disturb each other: a check that leaves a 5xx burst switched on for every company,
// short token lifetimes and a revoked consent behind is followed by one that sees none of it, on
// companies of its own, against the same (real, reference) integration process.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { RULE_NAMES } from '../../src/checks/registry.js';
import { loadSuites } from '../../src/load/load-suite.js';
import { runChecks } from '../../src/runner/run.js';
import type { Simulator } from '../../src/simulator/index.js';
import { loadFixtureTarget } from '../helpers/run-fixture.js';

const SUITE = `suite: isolation
requirement: EAP-4
checks:
  - id: TEN-01
    title: leaves a mess behind
    severity: blocker
    doc: https://example.com
    companies: [acme]
    steps:
      - connect: acme
      - token-lifetime: { seconds: 1 }
      - fault: { kind: server-error, endpoint: "GET /v3/export-jobs*", status: 503, count: 1000 }
      - revoke-consent: acme
    expect:
      - requests: { server: auth, path: /oauth/token, min: 1 }
  - id: TEN-02
    title: sees none of it
    severity: blocker
    doc: https://example.com
    companies: [acme]
    steps:
      - connect: acme
      - sync: {}
    expect:
      - requests: { server: api, status: 5xx, count: 0 }
      - requests: { company: acme, path: /v3/export-job-events, body: { event: completed }, min: 1 }
`;

it('gives every check fresh companies and a clean simulator', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eap-isolation-'));
  writeFileSync(join(dir, 'suite.yaml'), SUITE);
  const { suites, diagnostics } = loadSuites([{ path: join(dir, 'suite.yaml'), display: 'suite.yaml' }], RULE_NAMES);
  expect(diagnostics).toEqual([]);
  let sim: Simulator | undefined;
  const run = await runChecks({ target: loadFixtureTarget('reference'), checks: suites[0]!.checks, notSelected: [], baseEnv: process.env, onStarted: (world) => (sim = world.sim) });
  expect(run.results.map((result) => [result.id, result.outcome, result.message])).toEqual([
    ['TEN-01', 'pass', expect.any(String)],
    ['TEN-02', 'pass', expect.any(String)],
  ]);
  // two companies, one per check, each with its own id; the second's tokens lived the default 900 s
  const companies = [...sim!.world.companies.values()].filter((company) => company.alias.startsWith('acme.'));
  expect(companies.map((company) => company.alias).sort()).toEqual(['acme.ten-01', 'acme.ten-02']);
  expect(new Set(companies.map((company) => company.id)).size).toBe(2);
  const second = sim!.recorder.exchanges((exchange) => exchange.server === 'auth' && exchange.path === '/oauth/token' && exchange.attribution.company === companies.find((c) => c.alias === 'acme.ten-02')!.id);
  expect(second.length).toBeGreaterThan(0);
  for (const exchange of second) if (exchange.response.status === 200) expect(JSON.parse(exchange.response.body).expires_in).toBe(900);
}, 60_000);
