// The Node.js options each service runs with come from one place ("mqfleet.nodeOptions" in its
// package.json: npm start, the tests and the benchmarks read it there); the deploy files must
// spell the same, or production would run the services differently from what was measured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { nodeOptionsOf, REPO_ROOT } from '../src/index';

const services = readdirSync(path.join(REPO_ROOT, 'services'));
const deployFiles = [
  'deploy/compose.yaml',
  'deploy/Dockerfile',
  ...readdirSync(path.join(REPO_ROOT, 'deploy/k8s')).map((f) => `deploy/k8s/${f}`),
];

/** Every command in a deploy file that starts `services/<name>/dist/main.js`, as its argv. */
function commandsOf(text: string, name: string): string[][] {
  const commands: string[][] = [];
  for (const m of text.matchAll(/\[\s*((?:['"][^'"]*['"]\s*,\s*)*['"][^'"]*['"])\s*,?\s*\]/g)) {
    const argv = [...m[1]!.matchAll(/['"]([^'"]*)['"]/g)].map((a) => a[1]!);
    if (argv[0] === 'node' && argv.includes(`services/${name}/dist/main.js`)) commands.push(argv);
  }
  return commands;
}

test('the deploy files start each service with the Node.js options of its package.json', () => {
  let checked = 0;
  for (const name of services) {
    const expected = ['node', ...nodeOptionsOf(name), `services/${name}/dist/main.js`];
    for (const file of deployFiles) {
      for (const argv of commandsOf(readFileSync(path.join(REPO_ROOT, file), 'utf8'), name)) {
        assert.deepEqual(argv, expected, `${file}: ${name}`);
        checked++;
      }
    }
  }
  // compose (4 services), k8s (3 manifests), the Dockerfile's default CMD.
  assert.ok(checked >= 8, `only ${checked} commands found`);
  assert.deepEqual(nodeOptionsOf('session-service'), ['--max-semi-space-size=64', '--single-threaded-gc']);
  assert.deepEqual(nodeOptionsOf('connection-gateway'), ['--single-threaded-gc']);
});
