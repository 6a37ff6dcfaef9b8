// GET /health/live and GET /health/ready. Ready means: the session-service answers the standard
// grpc.health.v1 check with SERVING and knows of at least config.gateways live gateways.
import type { FastifyInstance } from 'fastify';
import type { Config } from '@mqfleet/core';
import type { ListGatewaysResponse__Output } from '@mqfleet/proto';
import { unary, type Backend } from './backend';
import { toFailure } from './errors';

/** Readiness probes should answer quickly even when the configured deadline is long. */
const PROBE_DEADLINE_MS = 2000;

async function readiness(config: Config, backend: Backend): Promise<string[]> {
  const deadline = Math.min(config.grpcDeadlineMs, PROBE_DEADLINE_MS);
  const missing: string[] = [];
  try {
    const health = await unary<{ status: string }>((cb) =>
      backend.health.check({ service: '' }, backend.internal(), backend.options(deadline), cb),
    );
    if (health.status !== 'SERVING') missing.push(`session-service health is ${health.status}, not SERVING`);
  } catch (err) {
    missing.push(`session-service health check failed: ${toFailure(err).errorMessage}`);
    return missing;
  }
  try {
    const list = await unary<ListGatewaysResponse__Output>((cb) =>
      backend.session.listGateways({}, backend.internal(), backend.options(deadline), cb),
    );
    if (list.gateways.length < config.gateways) {
      missing.push(`${list.gateways.length} of ${config.gateways} connection-gateway(s) alive`);
    }
  } catch (err) {
    missing.push(`listing gateways failed: ${toFailure(err).errorMessage}`);
  }
  return missing;
}

export function registerHealth(app: FastifyInstance, config: Config, backend: Backend): void {
  app.get('/health/live', async () => ({ status: 'live' }));
  app.get('/health/ready', async (_request, reply) => {
    const missing = await readiness(config, backend);
    if (missing.length === 0) return { status: 'ready' };
    return reply.code(503).send({ status: 'not ready', missing });
  });
}
