// Runs the session-service from the environment (see docs/configuration.md).
import { answerHelp, createLogger, loadConfig, metricsPortOf, ServiceMetrics } from '@mqfleet/core';
import { buildSessionService } from './index';

async function main(): Promise<void> {
  answerHelp('session-service');
  const config = loadConfig();
  const log = createLogger('session-service', config.logLevel);
  const metrics = new ServiceMetrics('session-service', log);
  const service = buildSessionService(config, log, metrics);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    Promise.all([service.close(), metrics.close()]).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('stop failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const { grpcPort } = await service.start();
  const metricsPort = await metrics.serve(config.host, metricsPortOf(config.metricsPort, 'session-service'));
  log.info('ready', { grpcPort, metricsPort });
}

main().catch((err: unknown) => {
  process.stderr.write(
    `session-service failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
