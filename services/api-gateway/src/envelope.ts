// The FairCom request/response envelope (docs/json-api.md): reading and checking the request's
// common properties, and building the response around an action's result or failure.
import { invalidValue, missingProperty, tooLarge } from '@mqfleet/core';
import type { ApiFailure } from './errors';
import { numbersAsStrings, type BinaryFormat } from './render';

export type DebugLevel = 'none' | 'min' | 'max' | 'maxOnError';

export interface ResponseOptions {
  omit: string[];
  numberFormat: 'number' | 'string';
  binaryFormat: BinaryFormat;
}

export interface Warning {
  warningCode: number;
  warningMessage: string;
  /** The same code and text in the shape of FairCom's deleteSession example (docs/json-api.md). */
  code?: number;
  message?: string;
}

/** What every response echoes; read leniently so even a bad request gets a proper echo. */
export interface Echo {
  requestId: unknown;
  authToken: string;
  debug: DebugLevel;
  options: ResponseOptions;
}

export interface Envelope extends Echo {
  api: string | undefined;
  action: string;
  params: Record<string, unknown>;
}

const DEBUG_LEVELS: readonly string[] = ['none', 'min', 'max', 'maxOnError'];
export const BINARY_FORMATS: readonly string[] = ['hex', 'base64', 'byteArray'];
const NUMBER_FORMATS: readonly string[] = ['number', 'string'];
const MAX_TOKEN_BYTES = 255;
const MAX_API_VERSION_BYTES = 20;
const MAX_NAME_BYTES = 256;

export const DEFAULT_OPTIONS: ResponseOptions = { omit: [], numberFormat: 'number', binaryFormat: 'hex' };

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const absent = (value: unknown): boolean => value === undefined || value === null;
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Reads responseOptions; with strict=false invalid parts fall back to their defaults. */
function readOptions(raw: unknown, strict: boolean): ResponseOptions {
  const options: ResponseOptions = { ...DEFAULT_OPTIONS, omit: [] };
  if (absent(raw)) return options;
  if (!isObject(raw)) {
    if (strict) throw invalidValue('responseOptions', 'an object', raw);
    return options;
  }
  const fail = (name: string, expectation: string, got: unknown): void => {
    if (strict) throw invalidValue(`responseOptions.${name}`, expectation, got);
  };
  if (!absent(raw.omit)) {
    if (Array.isArray(raw.omit) && raw.omit.every((n) => typeof n === 'string')) options.omit = raw.omit;
    else fail('omit', 'an array of property names', raw.omit);
  }
  if (!absent(raw.numberFormat)) {
    if (NUMBER_FORMATS.includes(raw.numberFormat as string)) {
      options.numberFormat = raw.numberFormat as ResponseOptions['numberFormat'];
    } else fail('numberFormat', '"number" or "string"', raw.numberFormat);
  }
  if (!absent(raw.binaryFormat)) {
    if (BINARY_FORMATS.includes(raw.binaryFormat as string)) {
      options.binaryFormat = raw.binaryFormat as BinaryFormat;
    } else fail('binaryFormat', '"hex", "base64" or "byteArray"', raw.binaryFormat);
  }
  return options;
}

/** The echo part of any request object, never throwing. */
export function readEcho(body: Record<string, unknown> | undefined): Echo {
  const debug = body && DEBUG_LEVELS.includes(body.debug as string) ? (body.debug as DebugLevel) : 'none';
  return {
    requestId: body?.requestId === undefined ? null : body.requestId,
    authToken: typeof body?.authToken === 'string' ? body.authToken : '',
    debug,
    options: readOptions(body?.responseOptions, false),
  };
}

function optionalString(body: Record<string, unknown>, name: string, maxBytes: number): string | undefined {
  const value = body[name];
  if (absent(value)) return undefined;
  if (typeof value !== 'string') throw invalidValue(name, 'a string', value);
  if (bytes(value) > maxBytes) throw tooLarge(name, `${maxBytes} bytes`);
  return value;
}

/** Checks the envelope's properties; unknown top-level properties are ignored (docs/json-api.md). */
export function readEnvelope(body: Record<string, unknown>): Envelope {
  if (absent(body.action) || body.action === '') throw missingProperty('action');
  const action = optionalString(body, 'action', MAX_NAME_BYTES)!;
  const api = optionalString(body, 'api', MAX_NAME_BYTES);
  optionalString(body, 'apiVersion', MAX_API_VERSION_BYTES);
  optionalString(body, 'authToken', MAX_TOKEN_BYTES);
  if (!absent(body.debug) && !DEBUG_LEVELS.includes(body.debug as string)) {
    throw invalidValue('debug', '"none", "min", "max" or "maxOnError"', body.debug);
  }
  if (!absent(body.params) && !isObject(body.params)) throw invalidValue('params', 'an object', body.params);
  readOptions(body.responseOptions, true);
  return {
    ...readEcho(body),
    api: api === '' ? undefined : api,
    action,
    params: isObject(body.params) ? body.params : {},
  };
}

export interface Outcome {
  result?: Record<string, unknown>;
  /** Token to return instead of the request's (createSession). */
  authToken?: string;
  failure?: ApiFailure;
  warnings: Warning[];
  serverSuppliedValues: Record<string, unknown>;
}

/** The request as debugInfo echoes it, with any password masked. */
function redact(request: unknown): unknown {
  if (!isObject(request) || !isObject(request.params) || request.params.password === undefined)
    return request;
  return { ...request, params: { ...request.params, password: '********' } };
}

export function buildResponse(request: unknown, echo: Echo, outcome: Outcome): Record<string, unknown> {
  const failed = outcome.failure !== undefined;
  let result: unknown = outcome.result ?? {};
  if (echo.options.numberFormat === 'string') result = numbersAsStrings(result);
  const response: Record<string, unknown> = {
    result,
    errorCode: outcome.failure?.errorCode ?? 0,
    errorMessage: outcome.failure?.errorMessage ?? '',
    requestId: echo.requestId,
    authToken: outcome.authToken ?? echo.authToken,
  };
  if (echo.debug === 'max' || (failed && echo.debug !== 'none')) {
    const errorData: Record<string, unknown> = {};
    if (outcome.failure?.property !== undefined) errorData.property = outcome.failure.property;
    response.debugInfo = {
      request: redact(request),
      serverSuppliedValues: outcome.serverSuppliedValues,
      errorData,
      warnings: outcome.warnings,
    };
  }
  for (const name of echo.options.omit) delete response[name];
  return response;
}

/** Responses with debug output are pretty-printed, as the reference describes. */
export function serialize(response: Record<string, unknown>, echo: Echo): string {
  return echo.debug === 'none' ? JSON.stringify(response) : JSON.stringify(response, null, 2);
}
