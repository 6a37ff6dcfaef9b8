// Readers of JSON values in request parameters, shared by every JSON action: each returns the
// value or throws the catalogue error naming the property and the expectation.
import { invalidValue, tooLarge } from './errors';
import { MAX_MQTT_STRING_BYTES } from './topics';

export function readUint(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidValue(name, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

export function readBool(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalidValue(name, 'true or false', value);
  return value;
}

export function readString(name: string, value: unknown, maxBytes = MAX_MQTT_STRING_BYTES): string {
  if (typeof value !== 'string') throw invalidValue(name, 'a string', value);
  if (Buffer.byteLength(value, 'utf8') > maxBytes) throw tooLarge(name, `${maxBytes} bytes`);
  return value;
}
