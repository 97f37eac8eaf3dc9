import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { api, connectCompany, oauthConfig } from '../helpers/oauth.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ companies: ['acme', 'globex'] });
});
afterAll(() => sim?.close());

it('runs a code flow', async () => {
  const config = oauthConfig(sim);
  const tokens = await connectCompany(sim, config, 'acme');
  expect(tokens.token_type).toBe('bearer');
  const me = await api(sim, 'GET', '/v1/installations/me', { token: tokens.access_token });
  console.log(me.status, me.json);
  console.log(JSON.stringify(sim.recorder.serialize().map((e) => [e.method, e.url, e.response.status, e.attribution]), null, 1).slice(0, 4000));
});
