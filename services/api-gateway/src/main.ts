// Runs the api-gateway alone: configuration from the environment, HTTP on host:httpPort.
import { answerHelp, createLogger, loadConfig, metricsPortOf, ServiceMetrics } from '@mqfleet/core';
import { buildApiGateway } from './index';

async function main(): Promise<void> {
  answerHelp('api-gateway');
  const config = loadConfig();
  const logger = createLogger('api-gateway', config.logLevel);
  const metrics = new ServiceMetrics('api-gateway', logger);
  const gateway = buildApiGateway(config, logger, metrics);
  const { port } = await gateway.start();
  const metricsPort = await metrics.serve(config.host, metricsPortOf(config.metricsPort, 'api-gateway'));
  logger.info('ready', {
    port,
    scheme: config.httpTls ? 'https' : 'http',
    sessionService: config.sessionServiceAddress,
    metricsPort,
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
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
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`api-gateway failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
