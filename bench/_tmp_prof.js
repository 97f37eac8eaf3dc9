import { runLoad, startChild } from './lib.js';
const mode = process.argv[2] ?? 'sim-http';
const depth = Number(process.argv[3] ?? 8);
const s = startChild('./throughput-server.js', [mode], { execArgv: ['--cpu-prof', '--cpu-prof-dir', '/tmp/prof', '--cpu-prof-interval', '100'] });
const info = await s.ready;
const r = await runLoad({ origin: info.origin, ca: info.ca, depth, seconds: 4, next: () => ({ path: info.path, headers: info.headers }) });
console.log(r);
await s.close();
