// Child process of the cold-start figure: import the simulator, start it, say "ready" with where
// the time went (ms since this process's time origin), close, exit. Spawned with plain `node`.
//   argv[2] = "https" (default) or "http"
const bootstrapped = performance.now();
const { startSimulator } = await import('../dist/simulator/index.js');
const imported = performance.now();
const sim = await startSimulator({ companies: ['acme'], tls: process.argv[2] !== 'http' });
const started = performance.now();
process.stdout.write(`ready ${JSON.stringify({ bootstrapped, imported, started, apiUrl: sim.apiUrl })}\n`);
await sim.close();
