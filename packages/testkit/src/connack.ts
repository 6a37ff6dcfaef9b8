// One CONNECT and its answer, for tests and benchmarks of who may connect (auth, login
// throttling, limits: test/e2e/auth.test.ts, test/e2e/login-throttle.test.ts, bench/login-cost.ts).
import { connect as netConnect } from 'node:net';
import type { IClientOptions } from 'mqtt';

/**
 * Connects once (no reconnect, 10 s to the CONNACK unless `options` say otherwise) from
 * `localAddress` and resolves with the CONNACK code: 0 when accepted, the reason code (MQTT 5)
 * or return code (3.1.1) when refused. MQTT.js is loaded on the first call, so that what imports
 * the testkit for other things does not pay for it.
 */
export async function connackCode(
  port: number,
  options: IClientOptions,
  localAddress = '127.0.0.1',
): Promise<number> {
  const { MqttClient } = await import('mqtt');
  const client = new MqttClient(() => netConnect({ host: '127.0.0.1', port, localAddress }), {
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...options,
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      client.once('connect', () => resolve(0));
      client.once('error', (err: Error & { code?: number }) =>
        typeof err.code === 'number' ? resolve(err.code) : reject(err),
      );
    });
  } finally {
    client.end(true);
  }
}
