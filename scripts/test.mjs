// Runs the test files with node's own test runner (TypeScript through tsx).
//   node scripts/test.mjs unit   packages/*/test, services/*/test and test/deploy
//   node scripts/test.mjs e2e    test/e2e (the services as separate processes; needs a build)
//   node scripts/test.mjs all    both
// Extra arguments are passed to node --test (e.g. --test-name-pattern=ban).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const [which = 'all', ...extra] = process.argv.slice(2);

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.test.ts') && !f.includes('node_modules'))
    .map((f) => join(dir, f));
}

function groups(base) {
  return readdirSync(join(root, base)).flatMap((name) => testFiles(join(root, base, name, 'test')));
}

// test/deploy: the deploy files compared with each other and validated (no processes, no build).
const unit = [...groups('packages'), ...groups('services'), ...testFiles(join(root, 'test/deploy'))];
const e2e = testFiles(join(root, 'test/e2e'));
const files = which === 'unit' ? unit : which === 'e2e' ? e2e : [...unit, ...e2e];
if (files.length === 0) {
  console.error(`no test files for "${which}"`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', ...extra, ...files],
  { stdio: 'inherit', cwd: root },
);
process.exit(result.status ?? 1);
