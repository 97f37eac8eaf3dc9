// Child process of the memory figure (run with --expose-gc): a simulator records N API exchanges
// (mixed: list jobs, get installation, export items); heap and RSS before and after, and the
// cost of serializing (redacting) the recording. Replies once with the figures, then exits.
import { Agent, request } from 'undici';
import { startSimulator } from '../dist/simulator/index.js';
import { codeFlow } from './lib.js';

const count = Number(process.argv[2] ?? 10_000);
const inFlight = 8;
if (typeof global.gc !== 'function') throw new Error('run with --expose-gc');

const sim = await startSimulator({ companies: ['acme'] });
const agent = new Agent({ connect: { ca: sim.caPem }, connections: inFlight, keepAliveTimeout: 30_000 });
try {
  const { tokens } = await codeFlow(sim, 'acme');
  const company = sim.world.company('acme');
  const job = sim.world.jobsOf(company.id)[0];
  const headers = { authorization: `Bearer ${tokens.access_token}` };
  const paths = [
    `/v3/export-jobs?company_id=${company.id}&statuses=pending`,
    `/v1/installations/me`,
    `/v3/export-items?job_id=${job.id}`,
  ];

  const run = async (n) => {
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const path = paths[next % paths.length];
        next += 1;
        const response = await request(`${sim.apiUrl}${path}`, { dispatcher: agent, headers });
        await response.body.dump({ limit: Infinity });
        if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode} on ${path}`);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
  };

  await run(300); // warm-up: JIT, connections, caches
  const settle = async () => {
    for (let i = 0; i < 3; i += 1) {
      global.gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    return process.memoryUsage();
  };
  const before = await settle();
  const sizeBefore = sim.recorder.size;
  const t0 = performance.now();
  await run(count);
  const requestMs = performance.now() - t0;
  const after = await settle();
  const recorded = sim.recorder.size - sizeBefore;

  // serialize(): the redacted form of every exchange (what reports and evidence are made of)
  const timings = [];
  let serialized;
  for (let i = 0; i < 3; i += 1) {
    const s = performance.now();
    serialized = sim.recorder.serialize();
    timings.push(performance.now() - s);
  }
  const s = performance.now();
  const json = JSON.stringify(serialized);
  const stringifyMs = performance.now() - s;

  // how much of the recording is payload (the rest is object and array overhead)
  let payloadChars = 0;
  for (const exchange of sim.recorder.exchanges()) {
    payloadChars += exchange.url.length + exchange.request.body.length + exchange.response.body.length;
    for (const [name, value] of [...exchange.request.headers, ...exchange.response.headers]) payloadChars += name.length + value.length;
  }

  process.send({
    ok: true,
    payloadChars,
    count,
    recorded,
    total: sim.recorder.size,
    requestMs,
    before: { heapUsed: before.heapUsed, rss: before.rss },
    after: { heapUsed: after.heapUsed, rss: after.rss },
    serializeMs: timings,
    stringifyMs,
    jsonBytes: Buffer.byteLength(json),
    secrets: sim.secrets.size,
  });
} catch (error) {
  process.send({ error: error?.stack ?? String(error) });
} finally {
  await agent.close();
  await sim.close();
  process.disconnect();
}
