// MQTT.js clients as the benchmarks use them: MQTT 5, no automatic reconnect, long keep alive.
import mqtt, { type MqttClient } from 'mqtt';

export async function connectClient(port: number, clientId: string): Promise<MqttClient> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
    clientId,
    protocolVersion: 5,
    reconnectPeriod: 0,
    connectTimeout: 10000,
    keepalive: 120,
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

/** Runs a benchmark's main(); a failure is printed and sets a non-zero exit code. */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
}
