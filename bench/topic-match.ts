// Micro-benchmark of topicMatches (packages/core/src/topics.ts) against the split-based form it
// replaced: a gateway calls it for every subscription of every connection a message reaches.
// `node --import tsx bench/topic-match.ts` (about 10 s); prints ns per call for each case.
import { topicMatches } from '@mqfleet/core';

function bySplit(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

const CASES: [string, string, string][] = [
  ['exact filter (fan-in subscriber)', 'bench/fi/d/client-17', 'bench/fi/d/client-17'],
  ['wildcards, match', 'bench/+/d/#', 'bench/fi/d/client-17'],
  ['exact, no match', 'bench/fi/d/client-18', 'bench/fi/d/client-17'],
  ['deep, "+" levels', 'site/+/line/+/machine/+/temp', 'site/7/line/3/machine/12/temp'],
];
const N = 2_000_000;

// One loop per implementation: a call site shared by both would stay polymorphic (not inlined).
function timeSplit(filter: string, topic: string): number {
  let hits = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) if (bySplit(filter, topic)) hits++;
  const ns = Number(process.hrtime.bigint() - start) / N;
  if (hits !== 0 && hits !== N) throw new Error('unstable');
  return ns;
}

function timeWalk(filter: string, topic: string): number {
  let hits = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) if (topicMatches(filter, topic)) hits++;
  const ns = Number(process.hrtime.bigint() - start) / N;
  if (hits !== 0 && hits !== N) throw new Error('unstable');
  return ns;
}

console.log('| case | split (ns/call) | walk (ns/call) | walk / split |');
console.log('| --- | --- | --- | --- |');
for (const [name, filter, topic] of CASES) {
  if (bySplit(filter, topic) !== topicMatches(filter, topic)) throw new Error(`disagree on ${name}`);
  // Alternated, best of three each: the machine is shared.
  const split: number[] = [];
  const walk: number[] = [];
  for (let r = 0; r < 3; r++) {
    split.push(timeSplit(filter, topic));
    walk.push(timeWalk(filter, topic));
  }
  const s = Math.min(...split);
  const w = Math.min(...walk);
  console.log(`| ${name} | ${s.toFixed(1)} | ${w.toFixed(1)} | ${(w / s).toFixed(2)} |`);
}
