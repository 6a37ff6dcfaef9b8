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

async function main(): Promise<void> {
  answerHelp('connection-gateway');
  const config = loadConfig();
  const logger = createLogger('connection-gateway', config.logLevel);
  const gateway = buildGateway(config, logger);
  const metrics = new ServiceMetrics('connection-gateway', logger);
  registerGatewayMetrics(metrics, gateway);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
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
