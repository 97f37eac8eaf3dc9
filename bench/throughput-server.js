// Child process of the throughput figure: one server under load, alone on its event loop.
//   sim-https | sim-http    the simulator, with a Bearer token from a real code flow
//   bare-https | bare-http  node:https / node:http answering a fixed body (the simulator's own answer)
// Messages: ready {origin, ca?, path, headers, ...}; cpu → process.cpuUsage(); close.
import http from 'node:http';
import https from 'node:https';
import { startSimulator } from '../dist/simulator/index.js';
import { createRunCa } from '../dist/simulator/tls.js';
import { codeFlow, serveParent } from './lib.js';

const mode = process.argv[2];
const [kind, scheme] = mode.split('-');
const tls = scheme === 'https';

let close;
let ready;
if (kind === 'sim') {
  const sim = await startSimulator({ companies: ['acme'], tls });
  const { tokens } = await codeFlow(sim, 'acme');
  const company = sim.world.company('acme');
  ready = {
    origin: sim.apiUrl,
    ca: sim.caPem,
    path: `/v3/export-jobs?company_id=${company.id}&statuses=pending`,
    headers: { authorization: `Bearer ${tokens.access_token}` },
  };
  close = async () => {
    ready.recorded = sim.recorder.size;
    await sim.close();
  };
} else {
  // the same TLS set-up as the simulator: an ECDSA P-256 leaf issued by a run CA
  const { body, headers } = JSON.parse(process.argv[3]);
  const ca = tls ? await createRunCa() : undefined;
  const cert = ca ? await ca.issueServer() : undefined;
  const payload = Buffer.from(body);
  const listener = (req, res) => {
    // like any server: read (and drop) the request body, then answer
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { ...headers, 'content-length': payload.length });
      res.end(payload);
    });
  };
  const server = cert ? https.createServer({ ...cert }, listener) : http.createServer(listener);
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  ready = { origin: `${tls ? 'https' : 'http'}://127.0.0.1:${server.address().port}`, ca: ca?.caPem, path: '/v3/export-jobs', headers: {} };
  close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
}

let closing;
serveParent({
  cpu: () => ({ cpu: process.cpuUsage(), memory: process.memoryUsage().rss }),
  close: () => {
    closing ??= close().finally(() => process.exit(0));
    return closing;
  },
});
process.send({ ok: true, ...ready });
