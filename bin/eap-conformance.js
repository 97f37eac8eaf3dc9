#!/usr/bin/env node
// Thin wrapper: the compiled CLI does the work (npm ci builds it through "prepare").
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
