// Summarises a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time and by total
// (inclusive) time, and self time by origin (simulator source, dependency, node internals).
//   node bench/profile-summary.js <file.cpuprofile> [top=25] [filter-regex for the inclusive list]
import { readFileSync } from 'node:fs';

const [file, topText = '25', filterText] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.js <file.cpuprofile> [top] [filter]');
  process.exit(2);
}
const top = Number(topText);
const filter = filterText ? new RegExp(filterText) : undefined;
const profile = JSON.parse(readFileSync(file, 'utf8'));

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const selfMicros = new Map();
for (let i = 0; i < profile.samples.length; i += 1) {
  const id = profile.samples[i];
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);

const short = (url) =>
  url
    .replace(/^file:\/\/.*?\/node_modules\//, '')
    .replace(/^file:\/\/.*?\/(dist|bench)\//, '$1/')
    .replace(/^node:/, 'node:');
const key = (node) => {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${url ? `${short(url)}:${lineNumber + 1}` : ''}`.trim();
};
const origin = (node) => {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native / V8 builtins)';
  if (url.includes('/node_modules/')) return `dep: ${url.split('/node_modules/')[1].split('/').slice(0, url.includes('/node_modules/@') ? 2 : 1).join('/')}`;
  if (url.includes('/dist/')) return `simulator: ${short(url)}`;
  if (url.includes('/bench/')) return `bench: ${short(url)}`;
  return 'node internals';
};

const selfBy = new Map();
const originBy = new Map();
const inclusive = new Map();
for (const [id, micros] of selfMicros) {
  const node = byId.get(id);
  selfBy.set(key(node), (selfBy.get(key(node)) ?? 0) + micros);
  originBy.set(origin(node), (originBy.get(origin(node)) ?? 0) + micros);
  // inclusive: credit every distinct function on the stack once
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const k = key(byId.get(at));
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + micros);
  }
}

const print = (title, map, n, pick = () => true) => {
  console.log(`\n${title}`);
  for (const [name, micros] of [...map].filter(([name]) => pick(name)).sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${((micros / total) * 100).toFixed(1).padStart(6)} %  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${name}`);
  }
};
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
print('Self time by origin', originBy, top);
print('Self time by function', selfBy, top);
print(`Total (inclusive) time by function${filter ? ` matching ${filter}` : ''}`, inclusive, top, (name) => !filter || filter.test(name));
