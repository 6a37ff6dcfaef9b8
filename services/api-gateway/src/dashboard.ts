// GET /ui/: the web dashboard (packages/dashboard, docs/dashboard.md), the files Vite built into
// packages/dashboard/dist, served as they are. The dashboard reads and changes everything through
// POST /api and /ws with the token of its login, which it keeps in memory: these routes serve
// only static files and need no token. When the dashboard was not built, /ui/ says how to build
// it instead of a bare 404.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '@mqfleet/core';

/** Where the built dashboard is: packages/dashboard/dist, found through the workspace package. */
export function dashboardDir(): string | undefined {
  try {
    const dir = join(dirname(require.resolve('@mqfleet/dashboard/package.json')), 'dist');
    return existsSync(join(dir, 'index.html')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The page may load only its own scripts and styles (uPlot sets inline style attributes) and talk
 * only to this origin (POST /api and the WebSocket /ws); no framing.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Registers /ui and /ui/*: the files of `dir`, or a 503 that says how to build them when undefined. */
export function registerDashboard(app: FastifyInstance, logger: Logger, dir: string | undefined): void {
  app.get('/ui', async (_request, reply) => reply.redirect('/ui/'));
  if (!dir) {
    logger.warn('the dashboard is not built: /ui/ answers 503 (run pnpm run build)');
    app.get('/ui/*', async (_request, reply) =>
      reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(
          'The dashboard is not built: run `pnpm run build` in the repository, then restart the api-gateway.\n',
        ),
    );
    return;
  }
  void app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      return payload;
    });
    await scope.register(fastifyStatic, {
      root: dir,
      prefix: '/ui/',
      // Swagger UI (/docs) decorates the reply already.
      decorateReply: false,
      index: 'index.html',
      // Hashed asset names change with their content; index.html is read again every time.
      setHeaders: (res, path) => {
        res.header(
          'cache-control',
          path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
        );
      },
    });
  });
}
