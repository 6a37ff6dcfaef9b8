// Micro-benchmark of the per-message read check (packages/core/src/authorization.ts, mayRead):
// what a gateway pays for each message it would deliver on a subscription that the read rules let
// the client read only in part (services/connection-gateway/src/connection.ts, mayRead). A
// connection without such a subscription pays one comparison and is not measured here.
// `node --import tsx bench/read-check.ts` (about 30 s); prints ns per message for each case.
import { authorizationFor, parseAuthorization, READ_CACHE_SIZE, topicMatches } from '@mqfleet/core';

/** The rule set of test/e2e/read-rules.test.ts: an auditor, one denied topic, allow-all. */
const E2E_RULES = parseAuthorization([
  { permission: 'allow', action: 'subscribe', clientId: 'auditor*', topics: ['#'] },
  { permission: 'deny', action: 'subscribe', topics: ['test/nosubscribe'] },
  { permission: 'allow', action: 'all', topics: ['#'] },
]);

/** Twenty rules, %c patterns among them: a larger deployment's file. */
const MANY_RULES = parseAuthorization([
  ...Array.from({ length: 8 }, (_, i) => ({
    permission: 'allow' as const,
    action: 'all' as const,
    clientId: `line-${i}-*`,
    topics: [`lines/${i}/%c/#`],
  })),
  ...Array.from({ length: 10 }, (_, i) => ({
    permission: 'deny' as const,
    action: 'subscribe' as const,
    topics: [`site/${i}/+/secret/#`, `site/${i}/admin`],
  })),
  { permission: 'deny', action: 'subscribe', topics: ['internal/#'] },
  { permission: 'allow', action: 'all', topics: ['#'] },
]);

const N = 2_000_000;
/** Topics a monitoring client sees often: fewer than the cache holds. */
const FEW = Array.from({ length: 100 }, (_, i) => `site/${i % 10}/dev-${i}/temp`);
/** Ever new topics: more than the cache holds, so most checks walk the rules. */
const MANY = Array.from({ length: READ_CACHE_SIZE * 8 }, (_, i) => `site/${i % 10}/dev-${i}/temp`);

function time(check: (topic: string) => boolean, topics: string[]): number {
  let readable = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) if (check(topics[i % topics.length]!)) readable++;
  const ns = Number(process.hrtime.bigint() - start) / N;
  if (readable === 0) throw new Error('nothing readable: the case measures nothing');
  return ns;
}

const CASES: [string, () => (topic: string) => boolean, string[]][] = [
  ['for scale: topicMatches("#", topic), one subscription', () => (t) => topicMatches('#', t), FEW],
  ['3 rules (e2e), 100 topics (cache hits)', () => authorizationFor(E2E_RULES, 'monitor', '').mayRead, FEW],
  [
    '3 rules (e2e), 8,192 topics (cache misses)',
    () => authorizationFor(E2E_RULES, 'monitor', '').mayRead,
    MANY,
  ],
  ['20 rules, 100 topics (cache hits)', () => authorizationFor(MANY_RULES, 'monitor', '').mayRead, FEW],
  ['20 rules, 8,192 topics (cache misses)', () => authorizationFor(MANY_RULES, 'monitor', '').mayRead, MANY],
  // The same answer from the SUBSCRIBE walk, which splits the topic into levels: what a miss
  // cost before the read walk used topicMatches.
  [
    '3 rules (e2e), split walk, no cache',
    () => authorizationFor(E2E_RULES, 'monitor', '').maySubscribe,
    MANY,
  ],
  ['20 rules, split walk, no cache', () => authorizationFor(MANY_RULES, 'monitor', '').maySubscribe, MANY],
];

console.log('| case | ns per message |');
console.log('| --- | --- |');
for (const [name, make, topics] of CASES) {
  // Best of three, a fresh client (empty cache) each: the machine is shared.
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) runs.push(time(make(), topics));
  console.log(`| ${name} | ${Math.min(...runs).toFixed(1)} |`);
}
