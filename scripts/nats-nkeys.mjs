// Makes the NATS logins of deploy/nats/accounts.conf: one user nkey for the session-service and
// one for the connection-gateways.
//
//   node scripts/nats-nkeys.mjs <directory>
//
// writes <directory>/session-service.nk and <directory>/gateway.nk (the seeds, mode 0600: give
// each to its service as MQFLEET_NATS_NKEY_SEED_FILE) and prints the public keys as the two
// variables the nats-server's configuration reads (NATS_SESSION_SERVICE_NKEY, NATS_GATEWAY_NKEY).
// Existing seed files are kept, so running it again prints the same public keys. Seeds are
// secrets: never commit them (deploy/README.md, "NATS credentials").
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
// The nats client (and its nkeys) is a dependency of @mqfleet/core.
const { nkeys } = createRequire(join(root, 'packages/core/package.json'))('nats');

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: node scripts/nats-nkeys.mjs <directory for the seed files>\n');
  process.exit(2);
}
mkdirSync(dir, { recursive: true, mode: 0o700 });

const users = [
  ['session-service.nk', 'NATS_SESSION_SERVICE_NKEY'],
  ['gateway.nk', 'NATS_GATEWAY_NKEY'],
];
const encoder = new TextEncoder();
for (const [file, variable] of users) {
  const path = join(dir, file);
  let pair;
  if (existsSync(path)) {
    try {
      pair = nkeys.fromSeed(encoder.encode(readFileSync(path, 'utf8').trim()));
    } catch (err) {
      process.stderr.write(`${path} exists but holds no nkey seed (${err.message}); move it away first\n`);
      process.exit(1);
    }
  } else {
    pair = nkeys.createUser();
    writeFileSync(path, `${new TextDecoder().decode(pair.getSeed())}\n`, { mode: 0o600 });
  }
  process.stdout.write(`${variable}=${pair.getPublicKey()}\n`);
}
