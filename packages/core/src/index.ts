export * from './errors';
export * from './config';
export * from './config-settings';
export * from './authorization';
export * from './log';
export * from './topics';
export * from './subjects';
export * from './session';
export * from './session-fields';
export { check, checkParams, publicSchema } from './json-schema';
export {
  binaryFromString,
  jsonValueBytes,
  labelIdValue,
  MAX_JSON_VALUE_BYTES,
  MAX_LABEL_BYTES,
  MAX_LABEL_ID,
  MAX_PACKET_SIZE,
  MAX_USER_PROPERTY_KEY_BYTES,
  PAYLOAD_TYPES,
  renderBytes,
  renderLabelRef,
  SEED_NEVER_EXPIRES,
  SESSION_STATUS_NAMES,
  SESSION_TYPES,
  statusFromName,
  statusName,
  UINT16_MAX,
  UINT32_MAX,
  type BinaryFormat,
} from './session-values';
export * from './connect';
export * from './json-values';
export * from './accounts';
export * from './health';
export * from './stream-limits';
export * from './bus-limits';
export * from './event-size';
export * from './mq-api-messages';
export * from './metrics';
export * from './nats-connect';
export * from './net';
export * from './propagation';
