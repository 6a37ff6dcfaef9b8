// Accounts and API tokens. Passwords are hashed with scrypt at the OWASP Password Storage Cheat
// Sheet's level (N=2^17, r=8, p=1, 16-byte salt), stored as `scrypt$ln=17,r=8,p=1$salt$key`; a
// hash of the earlier form `scrypt$salt$key` (N=2^14) still verifies and is replaced at the next
// successful login. Every hash runs in a bounded pool (hashing below). Tokens are 32 random
// bytes, given out once and stored as SHA-256.
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { Sema } from 'async-sema';
import { DEFAULT_TOKEN_IDLE_SECONDS, MqfleetError, missingProperty, invalidValue } from '@mqfleet/core';
import type { Db } from './db';
import { addressKey, LoginThrottle, throttledMessage, type ThrottleLimits } from './login-throttle';

const KEY_LENGTH = 32;

export type Role = 'admin' | 'user';

export interface Actor {
  username: string;
  role: Role;
}

export interface ScryptParams {
  /** log2 of N, the CPU and memory cost. */
  ln: number;
  r: number;
  p: number;
}

/**
 * New hashes: OWASP's minimum for scrypt (N=2^17, r=8, p=1), 128 MiB and a few hundred ms each.
 * MQFLEET_PASSWORD_HASH_COST sets ln (never below 17 in production; tests use 14).
 */
let hashParams: ScryptParams = { ln: 17, r: 8, p: 1 };
/** What a stored `scrypt$salt$key` (no parameters) was made with: Node's defaults. */
const LEGACY_PARAMS: ScryptParams = { ln: 14, r: 8, p: 1 };

function scryptAsync(password: string, salt: Buffer, keylen: number, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.ln;
  // scrypt needs about 128 * N * r bytes; Node refuses more than maxmem (32 MiB by default).
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r };
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/**
 * The hashing pool. scrypt runs on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says
 * otherwise), which DNS lookups, file reads and other crypto share: at most `concurrency` hashes
 * run at once and at most `queue` wait. A login beyond that, or one that would wait longer than
 * HASH_WAIT_BUDGET_MS (judged by the recent time per hash), is answered BUSY at once instead of
 * waiting past its caller's deadline. Token checks and MQTT CONNECTs without a password, or whose
 * credential was verified recently (authenticateMqtt), never hash and so never wait here.
 */
let hashConcurrency = 2;
let hashQueueLength = 32;
let hashSema = new Sema(hashConcurrency);
/** Hashes running or waiting. */
let hashWaiting = 0;
/** Moving average of one hash's duration, ms (0 until the first is done). */
let hashMs = 0;
/** The longest a login waits for its turn to hash: well inside the callers' 5 s gRPC deadline. */
const HASH_WAIT_BUDGET_MS = 2000;

/** Counters of the hashing pool (tests, the benchmark). */
export const hashStats = { hashed: 0, busy: 0 };

async function pooled<T>(work: () => Promise<T>): Promise<T> {
  const ahead = hashWaiting - hashConcurrency + 1;
  const expectedWaitMs = ahead > 0 ? Math.ceil(ahead / hashConcurrency) * hashMs : 0;
  if (hashWaiting >= hashConcurrency + hashQueueLength || expectedWaitMs > HASH_WAIT_BUDGET_MS) {
    hashStats.busy += 1;
    throw new MqfleetError('BUSY', 'the server is busy checking other logins; try again shortly');
  }
  hashWaiting += 1;
  await hashSema.acquire();
  const started = performance.now();
  try {
    return await work();
  } finally {
    const took = performance.now() - started;
    hashMs = hashMs === 0 ? took : hashMs * 0.8 + took * 0.2;
    hashSema.release();
    hashWaiting -= 1;
    hashStats.hashed += 1;
  }
}

let throttle = new LoginThrottle({ freeFailures: 5, addressFreeFailures: 20, maxDelaySeconds: 300 });

/** This process's login throttle (shared with the other session-services: index.ts). */
export function loginThrottle(): LoginThrottle {
  return throttle;
}

/** Sets the throttle's limits and the hashing pool's size (the session-service's start). */
export function configureLogins(
  limits: ThrottleLimits & { hashConcurrency: number; hashQueue: number; hashCost: number },
): void {
  throttle = new LoginThrottle(limits);
  hashParams = { ln: limits.hashCost, r: 8, p: 1 };
  hashConcurrency = limits.hashConcurrency;
  hashQueueLength = limits.hashQueue;
  hashSema = new Sema(hashConcurrency);
  hashWaiting = 0;
  hashMs = 0;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const params = hashParams;
  const { ln, r, p } = params;
  const key = await pooled(() => scryptAsync(password, salt, KEY_LENGTH, params));
  return `scrypt$ln=${ln},r=${r},p=${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface StoredHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function parseStored(stored: string): StoredHash | undefined {
  const parts = stored.split('$');
  if (parts[0] !== 'scrypt') return undefined;
  let params = LEGACY_PARAMS;
  let rest = parts.slice(1);
  if (parts.length === 4) {
    const m = /^ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})$/.exec(parts[1]!);
    if (!m) return undefined;
    params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
    rest = parts.slice(2);
  } else if (parts.length !== 3) {
    return undefined;
  }
  const [salt, key] = rest;
  if (!salt || !key) return undefined;
  return { params, salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') };
}

/** True when a stored hash was made with weaker parameters than new ones get. */
export function needsRehash(stored: string): boolean {
  const parsed = parseStored(stored);
  if (!parsed) return false;
  const { ln, r, p } = parsed.params;
  return ln < hashParams.ln || r < hashParams.r || p < hashParams.p;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStored(stored);
  if (!parsed) return false;
  const actual = await pooled(() => scryptAsync(password, parsed.salt, parsed.key.length, parsed.params));
  return timingSafeEqual(parsed.key, actual);
}

/**
 * After a successful login with a hash of older parameters: hash the password anew and store it,
 * unless the stored hash changed meanwhile (a password change wins). A full pool skips it: the
 * next login tries again.
 */
async function upgradeHash(db: Db, usernameKey: string, password: string, stored: string): Promise<string> {
  if (!needsRehash(stored)) return stored;
  let hash: string;
  try {
    hash = await hashPassword(password);
  } catch (err) {
    if (err instanceof MqfleetError && err.code === 'BUSY') return stored;
    throw err;
  }
  const res = await db.query(
    `UPDATE accounts SET password_hash = $1 WHERE username_key = $2 AND password_hash = $3`,
    [hash, usernameKey, stored],
  );
  return res.rowCount === 1 ? hash : stored;
}

export const tokenHash = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

const BAD_TOKEN_MESSAGE =
  "'authToken' does not match any existing session. Use a valid 'authToken' or use 'createSession' to create a valid 'authToken'.";

export function badToken(): MqfleetError {
  return new MqfleetError('BAD_TOKEN', BAD_TOKEN_MESSAGE);
}

/** Creates the ADMIN account on first start; an existing account keeps its password. */
export async function ensureAdmin(db: Db, password: string): Promise<boolean> {
  // Hashed only when the account is missing: a hash costs a few hundred milliseconds of a start.
  const existing = await db.query(`SELECT 1 FROM accounts WHERE username_key = 'admin'`);
  if (existing.rowCount) return false;
  const hash = await hashPassword(password);
  const res = await db.query(
    `INSERT INTO accounts (username_key, username, password_hash, role)
     VALUES ('admin', 'ADMIN', $1, 'admin') ON CONFLICT (username_key) DO NOTHING`,
    [hash],
  );
  return res.rowCount === 1;
}

/**
 * True when the stored ADMIN account still takes the password "ADMIN": a database first started
 * without MQFLEET_ADMIN_PASSWORD keeps it (ensureAdmin never overwrites an existing account).
 */
export async function adminHasDefaultPassword(db: Db, defaultPassword: string): Promise<boolean> {
  const { rows } = await db.query<{ password_hash: string }>(
    `SELECT password_hash FROM accounts WHERE username_key = 'admin'`,
  );
  const stored = rows[0]?.password_hash;
  return stored !== undefined && (await verifyPassword(defaultPassword, stored));
}

export interface IssuedToken {
  token: string;
  username: string;
  role: Role;
  idleTimeoutSeconds: number;
  createdAt: Date;
}

export async function createToken(
  db: Db,
  username: string,
  password: string,
  idleTimeoutSeconds: number | undefined,
  description: string,
  address = '',
): Promise<IssuedToken> {
  if (!username) throw missingProperty('username');
  if (!password) throw missingProperty('password');
  const idle = idleTimeoutSeconds ?? DEFAULT_TOKEN_IDLE_SECONDS;
  if (!Number.isInteger(idle) || idle < 0 || idle > 2_147_483_647) {
    throw invalidValue('idleConnectionTimeoutSeconds', 'an integer from 0 to 2147483647', idle);
  }
  const source = addressKey(address);
  const throttled = throttle.check(username, source);
  if (throttled) throw new MqfleetError('TOO_MANY_ATTEMPTS', throttledMessage(throttled));
  const { rows } = await db.query<{ username: string; password_hash: string; role: Role }>(
    'SELECT username, password_hash, role FROM accounts WHERE username_key = $1',
    [username.toLowerCase()],
  );
  const account = rows[0];
  // Hash even for an unknown account, so the answer takes as long either way.
  const ok = account
    ? await verifyPassword(password, account.password_hash)
    : (await hashPassword(password), false);
  if (!account || !ok) {
    throttle.failed(username, source);
    throw new MqfleetError('BAD_PASSWORD', 'the username or password is not valid');
  }
  throttle.succeeded(username, source);
  await upgradeHash(db, username.toLowerCase(), password, account.password_hash);
  const token = randomBytes(32).toString('base64url');
  const inserted = await db.query<{ created_at: Date }>(
    `INSERT INTO api_tokens (token_hash, username_key, description, idle_timeout_seconds)
     VALUES ($1, $2, $3, $4) RETURNING created_at`,
    [tokenHash(token), username.toLowerCase(), description, idle],
  );
  return {
    token,
    username: account.username,
    role: account.role,
    idleTimeoutSeconds: idle,
    createdAt: inserted.rows[0]!.created_at,
  };
}

/** How long a checked token is believed without asking Postgres again. */
const TOKEN_CACHE_MS = 1000;
const TOKEN_CACHE_MAX = 10_000;
const tokenCache = new Map<string, { actor: Actor; until: number }>();

/** Seconds a token lives from its creation, whatever its use (MQFLEET_TOKEN_MAX_LIFETIME_SECONDS); 0 = no bound. */
let tokenMaxLifetimeSeconds = 0;

/** Sets the absolute lifetime of tokens (the session-service's start). */
export function setTokenMaxLifetime(seconds: number): void {
  tokenMaxLifetimeSeconds = seconds;
  tokenCache.clear();
}

/**
 * Forgets every remembered token check. Called whenever this process revokes a token or changes
 * an account, so a revocation or a role change takes effect on the very next request.
 */
export function forgetTokens(): void {
  tokenCache.clear();
}

/**
 * The account behind a live token. Refreshing the idle timer is a write (a commit flushed to
 * disk), so it happens only when the recorded use is older than 1 % of the idle timeout (at least
 * 1 s, at most 60 s): a token may idle out that much later, never earlier. A successful check is
 * remembered for TOKEN_CACHE_MS (one second), so a busy administrator's thousands of requests
 * per second cost Postgres one query per second, not one each; this process forgets every
 * remembered check when it revokes a token or alters an account (forgetTokens).
 */
export async function checkToken(db: Db, token: string | undefined): Promise<Actor> {
  if (!token) throw badToken();
  const hash = tokenHash(token);
  const cacheKey = hash.toString('base64');
  const cached = tokenCache.get(cacheKey);
  const now = Date.now();
  if (cached && cached.until > now) return cached.actor;
  const { rows } = await db.query<{
    username: string;
    role: Role;
    stale: boolean;
    idle_timeout_seconds: number;
    remaining_ms: number;
    lifetime_ms: number | null;
  }>({
    name: 'token-check',
    text: `SELECT a.username, a.role, t.idle_timeout_seconds,
            extract(epoch FROM t.last_used_at + make_interval(secs => t.idle_timeout_seconds) - now())::float8 * 1000 AS remaining_ms,
            CASE WHEN $2::int = 0 THEN NULL
                 ELSE extract(epoch FROM t.created_at + make_interval(secs => $2::int) - now())::float8 * 1000 END AS lifetime_ms,
            t.last_used_at < now() - make_interval(secs => least(60, greatest(1, t.idle_timeout_seconds / 100.0))) AS stale
       FROM api_tokens t JOIN accounts a ON a.username_key = t.username_key
      WHERE t.token_hash = $1
        AND (t.idle_timeout_seconds = 0 OR t.last_used_at > now() - make_interval(secs => t.idle_timeout_seconds))
        AND ($2::int = 0 OR t.created_at > now() - make_interval(secs => $2::int))`,
    values: [hash, tokenMaxLifetimeSeconds],
  });
  const row = rows[0];
  if (!row) {
    tokenCache.delete(cacheKey);
    throw badToken();
  }
  if (row.stale) await db.query('UPDATE api_tokens SET last_used_at = now() WHERE token_hash = $1', [hash]);
  const actor: Actor = { username: row.username, role: row.role };
  if (tokenCache.size >= TOKEN_CACHE_MAX) tokenCache.clear();
  // Never remembered past the token's own idle expiry, nor past its lifetime.
  const idleRemaining =
    row.idle_timeout_seconds === 0
      ? Infinity
      : row.stale
        ? row.idle_timeout_seconds * 1000
        : row.remaining_ms;
  const remaining = Math.min(idleRemaining, row.lifetime_ms ?? Infinity);
  tokenCache.set(cacheKey, { actor, until: now + Math.min(TOKEN_CACHE_MS, remaining) });
  return actor;
}

/** How long a successful MQTT password check is remembered (devices reconnect in storms). */
const MQTT_AUTH_CACHE_MS = 5 * 60 * 1000;
const MQTT_AUTH_CACHE_MAX = 10_000;
const mqttAuthCache = new Map<string, number>();

/** What authenticateMqtt found. */
export type MqttAuthResult = 'ok' | 'bad' | 'throttled' | 'busy';

/**
 * Checks an MQTT CONNECT's username and password against the accounts, from the client's address.
 * scrypt costs a few hundred milliseconds, so a success is cached for a few minutes under a key
 * that includes the stored hash: a password change invalidates it at once. A cached credential is
 * accepted before the throttle is asked (it is the right password, so nothing is being guessed)
 * and without hashing; any other attempt may be throttled (login-throttle.ts) or find the hashing
 * pool full.
 */
export async function authenticateMqtt(
  db: Db,
  username: string,
  password: Buffer,
  address = '',
): Promise<MqttAuthResult> {
  const { rows } = await db.query<{ password_hash: string }>(
    'SELECT password_hash FROM accounts WHERE username_key = $1',
    [username.toLowerCase()],
  );
  const text = password.toString('utf8');
  const account = rows[0];
  const cacheKey = (hash: string): string =>
    createHash('sha256').update(`${username.toLowerCase()}\0${hash}\0`).update(password).digest('base64');
  const cached = account ? mqttAuthCache.get(cacheKey(account.password_hash)) : undefined;
  if (cached !== undefined && cached > Date.now()) return 'ok';
  const source = addressKey(address);
  if (throttle.check(username, source)) return 'throttled';
  try {
    if (!account) {
      await hashPassword(text); // same cost either way
      throttle.failed(username, source);
      return 'bad';
    }
    if (!(await verifyPassword(text, account.password_hash))) {
      throttle.failed(username, source);
      return 'bad';
    }
  } catch (err) {
    if (err instanceof MqfleetError && err.code === 'BUSY') return 'busy';
    throw err;
  }
  throttle.succeeded(username, source);
  const stored = await upgradeHash(db, username.toLowerCase(), text, account.password_hash);
  if (mqttAuthCache.size >= MQTT_AUTH_CACHE_MAX) mqttAuthCache.clear();
  mqttAuthCache.set(cacheKey(stored), Date.now() + MQTT_AUTH_CACHE_MS);
  return 'ok';
}
