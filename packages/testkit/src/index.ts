export { createInfra, testServers, natsConnection, type Infra } from './infra';
export {
  startService,
  killOnExit,
  nodeOptionsOf,
  freePort,
  REPO_ROOT,
  TEST_STREAM_LIMITS,
  TEST_HASH_COST,
  FAKE_GATEWAYS_ENV,
  type ServiceProcess,
} from './process';
export { nextEvent, eventMatching, until } from './wait';
export { createTestCertificates, type ListenerCertificates } from './tls';
export { makeTestCertificates, type TestCertificates } from './certs';
export { startTlsSessionService, type TlsSessionService } from './mtls';
export {
  OwnNats,
  makeNatsNkeys,
  readNkeySeed,
  deployNatsConfig,
  type NatsNkeys,
  type DeployNatsNode,
} from './nats-server';
export { connackCode } from './connack';
export { TcpProxy, type ProxyTarget } from './tcp-proxy';
export { nothingPropagated, type AlterationPropagation } from './propagation';
