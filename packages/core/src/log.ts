// Structured logging on pino: one JSON object per line on stdout
// ({"level":"info","time":"<ISO>","service":...,"msg":...,...fields}). Tests and the launcher
// read the `{"msg":"ready"}` line of each service to know it is serving.
//
// Secrets are redacted by field name wherever they are (redactFields): a line never carries a
// password, token or authorization header, even when a caller logs an object that holds one.
//
// Lines are written asynchronously (pino's sonic-boom), the lines of one turn of the event loop in
// one write: a connect storm spent a tenth of the gateway's CPU writing log lines one syscall at a
// time. What is still buffered is written synchronously when the process exits.
import pino from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** What stands in a log line for a redacted value. */
export const REDACTED = '[redacted]';

/**
 * Fields never written as they are, wherever a log call puts them (top level, or one or two
 * levels down: `{request: {password}}`, `{headers: {authorization}}`): passwords, tokens, the
 * internal secret, authorization and cookie headers, connection strings with credentials.
 */
const SECRET_KEYS = [
  'password',
  'newPassword',
  'adminPassword',
  'token',
  'authToken',
  'internalToken',
  'authorization',
  'cookie',
  'databaseUrl',
];
const SECRETS = new Set(SECRET_KEYS);
/** How deep below the line's own fields secrets are looked for (`{call: {metadata: {authorization}}}`). */
const SECRET_DEPTH = 2;

/**
 * Whether `value` holds a secret field at most SECRET_DEPTH levels down. Only the keys are
 * read: a line without one (nearly all: the gateway writes one per connection event) costs a
 * walk over its few keys. pino's own `redact` (wildcard paths, three depths) took 4 % of a
 * gateway's CPU in a connect storm (bench/mqtt-load.ts connect-clean, V8 profile).
 */
function holdsSecret(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object' || value instanceof Error || Buffer.isBuffer(value))
    return false;
  for (const key in value) {
    if (SECRETS.has(key)) return true;
    if (depth < SECRET_DEPTH && holdsSecret((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

/** A copy of `value` with every secret field (as holdsSecret finds them) replaced by REDACTED. */
function withoutSecrets(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Error || Buffer.isBuffer(value))
    return value;
  if (!holdsSecret(value, depth)) return value;
  if (Array.isArray(value)) return value.map((v) => withoutSecrets(v, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    copy[key] = SECRETS.has(key) ? REDACTED : depth < SECRET_DEPTH ? withoutSecrets(v, depth + 1) : v;
  }
  return copy;
}

/** The fields of a log call as they may be written: secrets replaced, the rest as it is. */
export function redactFields<T extends Record<string, unknown>>(fields: T): T {
  return holdsSecret(fields, 0) ? (withoutSecrets(fields, 0) as T) : fields;
}

/** The stdout of every logger of this process (stdoutDestination). */
let stdout: pino.DestinationStream | undefined;

/**
 * Stdout, buffered for one turn of the event loop: the lines of a turn (a burst of connection
 * events) leave in one write at its end, and what is still buffered is written synchronously
 * when the process exits.
 */
function stdoutDestination(): pino.DestinationStream {
  if (!stdout) {
    // Without minLength: sonic-boom writes at once, or, while a write is in progress, appends to
    // what it writes next, so nothing waits for more lines to come (with minLength, the lines left
    // below it after a write stayed buffered until the next ones: a service's "ready" line could
    // wait for ever).
    const boom = pino.destination({ dest: 1, sync: false });
    let lines: string[] = [];
    const flush = (): void => {
      const text = lines.join('');
      lines = [];
      boom.write(text);
    };
    process.on('exit', () => {
      if (lines.length > 0) flush();
      try {
        boom.flushSync();
      } catch {
        // A write still in progress: what it holds goes out with it.
      }
    });
    stdout = {
      write(line: string) {
        if (lines.length === 0) setImmediate(flush);
        lines.push(line);
      },
    };
  }
  return stdout;
}

/**
 * A logger of `service` at `level`; `base` fields go on every line. `write` replaces stdout (tests
 * pass one that drops or collects lines).
 */
export function createLogger(
  service: string,
  level: LogLevel = 'info',
  base: Record<string, unknown> = {},
  write?: (line: string) => void,
): Logger {
  return wrap(
    pino(
      {
        level,
        base: { service, ...base },
        messageKey: 'msg',
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        serializers: { err: errorOf },
      },
      write ? { write } : stdoutDestination(),
    ),
  );
}

function wrap(p: pino.Logger): Logger {
  return {
    debug: (msg, fields) => {
      // Debug lines are off in production: their fields are not even looked at then.
      if (!p.isLevelEnabled('debug')) return;
      if (fields) p.debug(redactFields(fields), msg);
      else p.debug(msg);
    },
    info: (msg, fields) => (fields ? p.info(redactFields(fields), msg) : p.info(msg)),
    warn: (msg, fields) => (fields ? p.warn(redactFields(fields), msg) : p.warn(msg)),
    error: (msg, fields) => (fields ? p.error(redactFields(fields), msg) : p.error(msg)),
    child: (fields) => wrap(p.child(redactFields(fields))),
  };
}

/** An `err` field: an Error as {name, message, stack}, anything else as it is. */
function errorOf(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}
