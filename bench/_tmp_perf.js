import { LoadClient, startChild } from './lib.js';
const mode = process.argv[2] ?? 'sim-http';
const depth = Number(process.argv[3] ?? 8);
const s = startChild('./throughput-server.js', [mode], { execArgv: (process.env.XARGS || '').split(' ').filter(Boolean) });
const info = await s.ready;
console.log('PID', s.child.pid);
const c = new LoadClient({ origin: info.origin, ca: info.ca, depth, next: () => ({ path: info.path, headers: info.headers }) });
await c.window(0.5);
if (process.env.PERF) { const { execSync, spawn } = await import('node:child_process'); const p = spawn('perf', ['record', '-F', '999', '-g', '-p', String(s.child.pid), '-o', '/tmp/perf.data', '--', 'sleep', '3'], { stdio: 'inherit' }); const r = await c.window(3.2); console.log(r.rps); await new Promise(r => p.on('exit', r)); }
else { const r = await c.window(3); console.log(r.rps); }
await c.close();
await s.close();
