// Copies the .proto files of the repository's proto/ (the one source of the gRPC contract) into
// packages/proto/proto, where @mqfleet/proto loads them at run time (packages/proto/src/index.ts
// PROTO_ROOT) and from where they are packed with it: an installed @mqfleet/proto reads nothing
// outside its own folder. Run by `pnpm run build`, `pnpm run proto:gen` and @mqfleet/proto's
// prepack; the copy is not committed (.gitignore).
import { cpSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const from = join(root, 'proto');
const to = join(root, 'packages/proto/proto');

function protoFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return protoFiles(path);
    return name.endsWith('.proto') ? [relative(from, path)] : [];
  });
}

rmSync(to, { recursive: true, force: true });
for (const file of protoFiles(from)) {
  mkdirSync(dirname(join(to, file)), { recursive: true });
  cpSync(join(from, file), join(to, file));
}
