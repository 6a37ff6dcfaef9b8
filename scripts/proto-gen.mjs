// Regenerates the TypeScript types of the gRPC contract from proto/ into packages/proto/src/generated.
// With --check it regenerates into a temporary folder and fails when the committed files differ,
// so CI notices a .proto change whose generated code was not committed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const protoDir = join(root, 'proto');
const committed = join(root, 'packages/proto/src/generated');
const check = process.argv.includes('--check');

function protoFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return protoFiles(path);
    return name.endsWith('.proto') ? [relative(protoDir, path)] : [];
  });
}

function generate(outDir) {
  rmSync(outDir, { recursive: true, force: true });
  const bin = join(root, 'packages/proto/node_modules/.bin/proto-loader-gen-types');
  execFileSync(
    bin,
    [
      '--longs=String',
      '--bytes=String',
      '--enums=String',
      '--defaults',
      '--oneofs',
      '--grpcLib=@grpc/grpc-js',
      `--includeDirs=${protoDir}`,
      `--outDir=${outDir}`,
      ...protoFiles(protoDir),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  // The generator writes the absolute path of each .proto into a comment; keep it relative so
  // the output is the same in every clone.
  for (const file of listing(outDir)) {
    const path = join(outDir, file);
    writeFileSync(path, readFileSync(path, 'utf8').replaceAll(`${protoDir}/`, 'proto/'));
  }
  execFileSync(
    join(root, 'node_modules/.bin/prettier'),
    ['--write', '--log-level=warn', '--config', join(root, '.prettierrc.json'), outDir],
    {
      stdio: 'inherit',
    },
  );
}

function listing(dir) {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((p) => p.endsWith('.ts'))
    .sort();
}

if (!check) {
  generate(committed);
} else {
  const tmp = mkdtempSync(join(tmpdir(), 'mqfleet-proto-'));
  const fresh = join(tmp, 'generated');
  try {
    generate(fresh);
    const a = listing(fresh);
    const b = listing(committed);
    const stale = a.filter(
      (f) =>
        !b.includes(f) || readFileSync(join(fresh, f), 'utf8') !== readFileSync(join(committed, f), 'utf8'),
    );
    const extra = b.filter((f) => !a.includes(f));
    if (stale.length || extra.length) {
      console.error(
        `generated gRPC code is out of date (${[...stale, ...extra].join(', ')}); run: pnpm run proto:gen`,
      );
      process.exit(1);
    }
    console.log('generated gRPC code is up to date');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
