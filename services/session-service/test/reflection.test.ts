// gRPC server reflection (what grpcurl and other tools use to find the services without .proto
// files) lists every service the session-service serves, the standard health service included,
// and describes them. Spoken with the reflection protocol itself against a real session-service.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { startHarness, type Harness } from './helpers';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The reflection protocol's own definition, as @grpc/reflection ships it. */
function reflectionClient(address: string): grpc.Client & Json {
  const require = createRequire(__filename);
  const root = path.dirname(require.resolve('@grpc/reflection/package.json'));
  const definition = loadSync(path.join(root, 'build/proto/grpc/reflection/v1/reflection.proto'), {
    keepCase: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as Json;
  const Client = loaded.grpc.reflection.v1.ServerReflection as typeof grpc.Client;
  return new Client(address, grpc.credentials.createInsecure()) as grpc.Client & Json;
}

/** One request on the bidirectional ServerReflectionInfo stream; its one response. */
function ask(client: Json, request: Json): Promise<Json> {
  return new Promise((resolve, reject) => {
    const stream = client.ServerReflectionInfo();
    stream.on('data', (response: Json) => {
      resolve(response);
      stream.end();
    });
    stream.on('error', reject);
    stream.write(request);
  });
}

describe('gRPC reflection of the session-service', () => {
  let harness: Harness;
  let client: grpc.Client & Json;
  before(async () => {
    harness = await startHarness();
    client = reflectionClient(harness.address);
  });
  after(async () => {
    client?.close();
    await harness?.close();
  });

  it('lists the standard health service beside mqfleet’s own', async () => {
    const listed = await ask(client, { list_services: '' });
    const names = (listed.list_services_response.service as Json[]).map((s) => s.name as string);
    for (const name of [
      'grpc.health.v1.Health',
      'mqfleet.v1.SessionService',
      'mqfleet.v1.AuthService',
      'mqfleet.v1.AccountService',
      'mqfleet.v1.LabelService',
      'mqfleet.v1.Topics',
    ]) {
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    }
  });

  it('describes the health service (its file descriptor names Check and Watch)', async () => {
    const described = await ask(client, { file_containing_symbol: 'grpc.health.v1.Health' });
    const files = described.file_descriptor_response?.file_descriptor_proto as Buffer[] | undefined;
    assert.ok(files && files.length > 0, JSON.stringify(described.error_response ?? described));
    const text = Buffer.concat(files).toString('latin1');
    assert.match(text, /grpc\.health\.v1/);
    assert.match(text, /Check/);
    assert.match(text, /Watch/);
  });
});
