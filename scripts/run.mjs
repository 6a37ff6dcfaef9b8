// Entry point of `npm start` and `npm test` in a fresh clone: makes sure the pinned pnpm is
// there, installs the workspace, builds it, then starts the system or runs every check.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const pinned = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).packageManager; // pnpm@x.y.z
const pinnedVersion = pinned.split('@')[1];
const [command = 'test', ...rest] = process.argv.slice(2);

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

/** The pnpm command: the one on PATH if it is the pinned version, else the pinned one via npm exec. */
function pnpmCommand() {
  const onPath = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim() === pinnedVersion) return ['pnpm', []];
  return ['npm', ['exec', '--yes', `--package=${pinned}`, '--', 'pnpm']];
}

function pnpm(...args) {
  const [cmd, prefix] = pnpmCommand();
  const status = run(cmd, [...prefix, ...args]);
  if (status !== 0) process.exit(status);
}

pnpm('install', '--frozen-lockfile', '--config.confirmModulesPurge=false');
pnpm('run', 'build');
if (command === 'start') {
  // Asynchronously, so that a SIGINT/SIGTERM sent to this process alone (a process manager, `kill`)
  // reaches the launcher too, which stops every service in order; it ignores a second signal.
  const child = spawn(process.execPath, ['scripts/start.mjs', ...rest], { stdio: 'inherit', cwd: root });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else if (command === 'test') {
  pnpm('run', 'test:all', ...rest);
} else {
  console.error(`usage: node scripts/run.mjs start|test`);
  process.exit(2);
}
