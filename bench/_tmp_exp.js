// experiment: sim-https/sim-http at depth 8 (and 1), rps + server CPU/req
import { runLoad, startChild } from './lib.js';
const depths = (process.argv[2] ?? '8').split(',').map(Number);
const modes = (process.argv[3] ?? 'sim-https,sim-http').split(',');
const seconds = Number(process.env.S ?? 3);
for (const mode of modes) {
  const s = startChild('./throughput-server.js', [mode, process.env.BODY ?? '']);
  const info = await s.ready;
  for (const depth of depths) {
    let a, b;
    const r = await runLoad({ origin: info.origin, ca: info.ca, depth, seconds, next: () => ({ path: info.path, headers: info.headers }),
      onWindow: async (w) => { const { cpu } = await s.send({ cmd: 'cpu' }); if (w === 'start') a = cpu; else b = cpu; } });
    const cpu = (b.user + b.system - a.user - a.system);
    console.log(`${mode.padEnd(10)} depth ${depth}: ${Math.round(r.rps)} req/s, ${Math.round(cpu / r.count)} µs CPU/req (user ${Math.round((b.user-a.user)/r.count)}, sys ${Math.round((b.system-a.system)/r.count)}), cpu share ${(cpu/1e6/seconds).toFixed(2)}`);
  }
  await s.close();
}
