// GET /ui/: the dashboard's files (services/api-gateway/src/dashboard.ts) with their security
// headers, a clear 503 when the dashboard is not built, and no way out of its directory.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { dashboardDir, registerDashboard } from '../src/dashboard';
import { memoryLogger } from './helpers';

describe('dashboard routes', () => {
  let app: FastifyInstance;
  let dir: string;

  before(async () => {
    // A built dashboard of its own: index.html and one asset, beside a file that must stay private.
    const root = mkdtempSync(join(tmpdir(), 'mqfleet-ui-'));
    dir = join(root, 'dist');
    writeFileSync(join(root, 'secret.txt'), 'not for the web');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'assets'), { recursive: true }));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>mqfleet dashboard</title>');
    writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
    app = Fastify();
    registerDashboard(app, memoryLogger(), dir);
    await app.ready();
  });
  after(() => app.close());

  it('serves index.html at /ui/ with a content security policy, and redirects /ui', async () => {
    const page = await app.inject({ method: 'GET', url: '/ui/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /mqfleet dashboard/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    const asset = await app.inject({ method: 'GET', url: '/ui/assets/app-1234.js' });
    assert.equal(asset.statusCode, 200);
    assert.match(String(asset.headers['cache-control']), /immutable/);
    const bare = await app.inject({ method: 'GET', url: '/ui' });
    assert.equal(bare.statusCode, 302);
    assert.equal(bare.headers.location, '/ui/');
  });

  it('does not serve files outside its directory', async () => {
    for (const url of [
      '/ui/../secret.txt',
      '/ui/..%2fsecret.txt',
      '/ui/%2e%2e/secret.txt',
      '/ui/assets/..%2f..%2fsecret.txt',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      assert.notEqual(res.statusCode, 200, url);
      assert.doesNotMatch(res.body, /not for the web/, url);
    }
    // The legitimate path still works after the attempts.
    assert.equal((await app.inject({ method: 'GET', url: '/ui/' })).statusCode, 200);
  });

  it('says how to build the dashboard when it is not built', async () => {
    const lines: string[] = [];
    const bare = Fastify();
    registerDashboard(bare, memoryLogger(lines), undefined);
    const res = await bare.inject({ method: 'GET', url: '/ui/' });
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /pnpm run build/);
    assert.ok(lines.some((l) => l.includes('dashboard is not built')));
    await bare.close();
  });

  it('finds the dashboard that pnpm run build made', () => {
    const found = dashboardDir();
    assert.ok(found, 'packages/dashboard/dist/index.html is missing: run pnpm run build');
    assert.match(found, /packages[/\\]dashboard[/\\]dist$/);
  });
});
