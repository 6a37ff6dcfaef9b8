// Runs one connection-gateway: the only place that reads the environment.
import {
  answerHelp,
  ConfigError,
  createLogger,
  loadConfig,
  metricsPortOf,
  ServiceMetrics,
} from '@mqfleet/core';
import { buildGateway } from './index';
import { registerGatewayMetrics } from './metrics';

/**
 * After the drain window, how long a stopping gateway may take to finish (sockets closed, closes
 * written: at most 2 s + 5 s in index.ts close, then NATS drained) before it exits regardless.
 */
const DRAIN_EXIT_GRACE_MS = 20_000;

async function main(): Promise<void> {
  answerHelp('connection-gateway');
  const config = loadConfig();
  const logger = createLogger('connection-gateway', config.logLevel);
  const gateway = buildGateway(config, logger);
  const metrics = new ServiceMetrics('connection-gateway', logger);
  registerGatewayMetrics(metrics, gateway);
  let signals = 0;
  const stop = (signal: string): void => {
    signals++;
    if (signals === 2) {
      // A second signal: no more pacing, the connections not ended yet are ended now.
      logger.info('stopping at once', { signal });
      gateway.hurry();
      return;
    }
    if (signals > 2) {
      logger.warn('exiting without finishing the drain', { signal });
      process.exit(1);
    }
    logger.info('stopping', { signal, drainWindowMs: config.drainWindowMs });
    // The drain is bounded: the window, then at most DRAIN_EXIT_GRACE_MS for the sockets to
    // close, the sessions to be parked and closed and NATS to drain (docs/mqtt.md "Graceful drain").
    setTimeout(() => {
      logger.error('drain did not finish in time: exiting', {
        afterMs: config.drainWindowMs + DRAIN_EXIT_GRACE_MS,
      });
      process.exit(1);
    }, config.drainWindowMs + DRAIN_EXIT_GRACE_MS).unref();
    Promise.all([gateway.close(), metrics.close()]).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('close failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const { port, gatewayId, ports } = await gateway.start();
  const metricsPort = await metrics.serve(
    config.host,
    metricsPortOf(config.metricsPort, { gatewayIndex: config.gatewayIndex }),
  );
  logger.info('ready', { port, ports, gatewayId, host: config.host, metricsPort });
}

main().catch((err: unknown) => {
  // A configuration error is the operator's to fix: its message names the setting; no stack.
  const detail = err instanceof ConfigError ? err.message : ((err as Error)?.stack ?? String(err));
  process.stderr.write(`connection-gateway failed to start: ${detail}\n`);
  process.exit(1);
});
