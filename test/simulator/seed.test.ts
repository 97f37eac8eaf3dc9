// A seed makes the simulator's data repeatable: same seed, same companies, jobs, items and
// canaries; another seed or none, other data. Secrets never come from the seed.
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';

const open: Simulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((sim) => sim.close()));
});

async function worldOf(seed?: string, aliases = ['acme', 'globex']) {
  const sim = await startSimulator({ tls: false, seed });
  open.push(sim);
  const companies = aliases.map((alias) => sim.createCompany({ alias })).sort((a, b) => a.alias.localeCompare(b.alias));
  const jobs = companies.flatMap((company) => sim.world.jobsOf(company.id));
  const items = jobs.flatMap((job) => sim.world.itemsOf(job)).map((item) => item.payload);
  return { data: { companies: companies.map(({ id, canary, organizationId, registrationNumber }) => ({ id, canary, organizationId, registrationNumber })), jobs: jobs.map((job) => job.id), items }, key: sim.mintApiKey('standalone', 'acme').value };
}

describe('seed', () => {
  it('creates the same data from the same seed, and other data from another seed or none', async () => {
    const first = await worldOf('run-42');
    const again = await worldOf('run-42');
    expect(again.data).toEqual(first.data);
    // each value is derived from what it is for, not from the order things were created in
    expect((await worldOf('run-42', ['globex', 'acme'])).data).toEqual(first.data);
    expect(first.data.companies[0]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first.data.items.length).toBeGreaterThan(0);
    const other = await worldOf('run-43');
    const unseeded = await worldOf();
    for (const different of [other, unseeded]) {
      expect(different.data.companies[0]!.id).not.toBe(first.data.companies[0]!.id);
      expect(different.data.companies[0]!.canary).not.toBe(first.data.companies[0]!.canary);
    }
    // keys are secrets: random whatever the seed
    expect(again.key).not.toBe(first.key);
  });
});
