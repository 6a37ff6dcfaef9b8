// Accounts and API tokens. Passwords are hashed with scrypt (N=16384, r=8, p=1, 16-byte salt);
// tokens are 32 random bytes, given out once and stored as SHA-256.
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { DEFAULT_TOKEN_IDLE_SECONDS, MqfleetError, missingProperty, invalidValue } from '@mqfleet/core';
import type { Db } from './db';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;
const KEY_LENGTH = 32;

export type Role = 'admin' | 'user';

export interface Actor {
  username: string;
  role: Role;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, KEY_LENGTH);
  return `scrypt$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(expected, actual);
}

export const tokenHash = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

const BAD_TOKEN_MESSAGE =
  "'authToken' does not match any existing session. Use a valid 'authToken' or use 'createSession' to create a valid 'authToken'.";

export function badToken(): MqfleetError {
  return new MqfleetError('BAD_TOKEN', BAD_TOKEN_MESSAGE);
}

/** Creates the ADMIN account on first start; an existing account keeps its password. */
export async function ensureAdmin(db: Db, password: string): Promise<boolean> {
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
): Promise<IssuedToken> {
  if (!username) throw missingProperty('username');
  if (!password) throw missingProperty('password');
  const idle = idleTimeoutSeconds ?? DEFAULT_TOKEN_IDLE_SECONDS;
  if (!Number.isInteger(idle) || idle < 0 || idle > 2_147_483_647) {
    throw invalidValue('idleConnectionTimeoutSeconds', 'an integer from 0 to 2147483647', idle);
  }
  const { rows } = await db.query<{ username: string; password_hash: string; role: Role }>(
    'SELECT username, password_hash, role FROM accounts WHERE username_key = $1',
    [username.toLowerCase()],
  );
  const account = rows[0];
  // Hash even for an unknown account, so the answer takes as long either way.
  const ok = account
    ? await verifyPassword(password, account.password_hash)
    : (await hashPassword(password), false);
  if (!account || !ok) throw new MqfleetError('BAD_PASSWORD', 'the username or password is not valid');
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

/**
 * Checks an MQTT CONNECT's username and password against the accounts. scrypt costs tens of
 * milliseconds, so a success is cached for a few minutes under a key that includes the stored
 * hash: a password change invalidates it at once.
 */
export async function authenticateMqtt(db: Db, username: string, password: Buffer): Promise<boolean> {
  const { rows } = await db.query<{ password_hash: string }>(
    'SELECT password_hash FROM accounts WHERE username_key = $1',
    [username.toLowerCase()],
  );
  const text = password.toString('utf8');
  const account = rows[0];
  if (!account) {
    await hashPassword(text); // same cost either way
    return false;
  }
  const key = createHash('sha256')
    .update(`${username.toLowerCase()}\0${account.password_hash}\0`)
    .update(password)
    .digest('base64');
  const cached = mqttAuthCache.get(key);
  if (cached !== undefined && cached > Date.now()) return true;
  if (!(await verifyPassword(text, account.password_hash))) return false;
  if (mqttAuthCache.size >= MQTT_AUTH_CACHE_MAX) mqttAuthCache.clear();
  mqttAuthCache.set(key, Date.now() + MQTT_AUTH_CACHE_MS);
  return true;
}
