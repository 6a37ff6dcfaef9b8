// Shared test helpers: a gateway built from a config, and POST /api through app.inject().
import { loadConfig, type Config, type Logger } from '@mqfleet/core';
import { buildApiGateway, type ApiGateway } from '../src/index';

/** A logger that keeps lines for assertions instead of printing them. */
export function memoryLogger(lines: string[] = []): Logger {
  const log =
    (level: string) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      lines.push(JSON.stringify({ level, msg, ...fields }));
    };
  const logger: Logger = {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: () => logger,
  };
  return logger;
}

export function testConfig(env: Record<string, string> = {}): Config {
  // Port 1 on localhost refuses connections: a session-service that is not there.
  return loadConfig({ MQFLEET_SESSION_SERVICE: '127.0.0.1:1', MQFLEET_HTTP_PORT: '0', ...env });
}

export function gateway(env: Record<string, string> = {}, lines?: string[]): ApiGateway {
  return buildApiGateway(testConfig(env), memoryLogger(lines));
}

export interface ApiResponse {
  status: number;
  body: Record<string, unknown> & {
    result: Record<string, unknown>;
    errorCode: number;
    errorMessage: string;
    requestId: unknown;
    authToken: string;
  };
}

export async function post(
  gw: ApiGateway,
  payload: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<ApiResponse> {
  const res = await gw.app.inject({
    method: 'POST',
    url: '/api',
    headers,
    payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
  });
  return { status: res.statusCode, body: res.json() };
}
