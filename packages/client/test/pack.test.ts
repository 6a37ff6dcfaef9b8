// @mqfleet/client is publishable: `pnpm pack` of it (and of @mqfleet/proto and @mqfleet/core, which
// it depends on) holds what it needs (dist, the .proto files) and nothing from outside its folder,
// and the unpacked packages load on their own: installed into an empty folder (their third-party
// dependencies linked from this workspace), the client finds the service definitions, which
// @mqfleet/proto loads from the .proto files inside itself. Needs `pnpm run build`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '../../..');
const PACKAGES = ['client', 'proto', 'core'] as const;

interface Packed {
  files: string[];
  manifest: { dependencies?: Record<string, string>; exports?: unknown; types?: string };
  folder: string;
}

describe('pnpm pack of @mqfleet/client and what it depends on', () => {
  let tmp: string;
  const packed = new Map<string, Packed>();

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'mqfleet-pack-'));
    for (const name of PACKAGES) {
      const dir = join(ROOT, 'packages', name);
      // stdout is the tarball's path (after any prepack output).
      const out = execFileSync('pnpm', ['pack', '--pack-destination', tmp], { cwd: dir, encoding: 'utf8' });
      const tarball = out.trim().split('\n').at(-1)!;
      const folder = join(tmp, 'node_modules', '@mqfleet', name);
      mkdirSync(folder, { recursive: true });
      execFileSync('tar', ['-xzf', tarball, '-C', folder, '--strip-components=1']);
      const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
      packed.set(name, {
        files: listing,
        manifest: JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as Packed['manifest'],
        folder,
      });
      // Third-party dependencies as an install would provide them: linked from the workspace.
      for (const dep of Object.keys(packed.get(name)!.manifest.dependencies ?? {})) {
        if (dep.startsWith('@mqfleet/')) continue;
        const target = join(tmp, 'node_modules', dep);
        mkdirSync(dirname(target), { recursive: true });
        try {
          symlinkSync(realpathSync(join(dir, 'node_modules', dep)), target);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
      }
    }
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('each tarball holds its dist, types and (proto) .proto files, and no path outside the package', () => {
    for (const [name, { files, manifest }] of packed) {
      for (const file of files) {
        assert.ok(file.startsWith('package/'), `${name}: ${file}`);
        assert.ok(!file.split('/').includes('..'), `${name}: ${file}`);
      }
      assert.ok(files.includes('package/dist/index.js'), name);
      assert.ok(files.includes('package/dist/index.d.ts'), name);
      assert.equal(manifest.types, 'dist/index.d.ts');
      assert.ok(manifest.exports, `${name} has exports`);
      for (const [dep, range] of Object.entries(manifest.dependencies ?? {}))
        assert.ok(!range.startsWith('workspace:'), `${name}: ${dep}@${range}`);
    }
    const client = packed.get('client')!.files;
    for (const file of ['dist/transport.js', 'dist/transport.d.ts', 'README.md'])
      assert.ok(client.includes(`package/${file}`), file);
    const protoFiles = packed
      .get('proto')!
      .files.filter((f) => f.endsWith('.proto'))
      .sort();
    const repoProtos = readdirSync(join(ROOT, 'proto/mqfleet/v1'))
      .filter((f) => f.endsWith('.proto'))
      .map((f) => `package/proto/mqfleet/v1/${f}`)
      .sort();
    assert.deepEqual(protoFiles, repoProtos);
  });

  test('installed alone, the client loads its service definitions from inside the packages', () => {
    const script = `
      const client = require('@mqfleet/client');
      const proto = require('@mqfleet/proto');
      console.log(JSON.stringify({
        path: client.v1.SessionService.service.ListSessions.path,
        labels: client.v1.LabelService.service.ChangeLabels.path,
        protoRoot: proto.PROTO_ROOT,
        error: new client.CallError('NOT_FOUND', 'x', undefined, 5) instanceof client.MqfleetError,
      }));
    `;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: tmp, encoding: 'utf8' });
    const result = JSON.parse(out) as { path: string; labels: string; protoRoot: string; error: boolean };
    assert.equal(result.path, '/mqfleet.v1.SessionService/ListSessions');
    assert.equal(result.labels, '/mqfleet.v1.LabelService/ChangeLabels');
    assert.equal(result.protoRoot, join(realpathSync(tmp), 'node_modules/@mqfleet/proto/proto'));
    assert.equal(result.error, true);
  });
});
