// Account management (AccountService) and the caller's own tokens (AuthService.DeleteToken,
// DescribeTokens). Callers are authorised in grpc.ts; these functions only get the Actor.
//
// Decisions:
// - A new password deletes every token of the account except the one the request was made with
//   (an administrator changing their own password stays logged in; everyone else logs in again).
// - A role change keeps the tokens: checkToken reads the role from the account on every request,
//   so a demoted administrator loses the admin actions on the next request.
// - ADMIN can be neither deleted nor demoted (INVALID_VALUE), so there is always an administrator.
import {
  ACCOUNT_NAME_MAX_BYTES,
  accountKey,
  ADMIN_USERNAME,
  MqfleetError,
  missingProperty,
  notFound,
  parseAccountName,
  parsePassword,
  parseRole,
  tooLarge,
  invalidValue,
  type AccountRole,
} from '@mqfleet/core';
import { forgetTokens, hashPassword, tokenHash, type Actor } from './accounts';
import { inTransaction, type Db } from './db';

export interface AccountRow {
  username: string;
  role: AccountRole;
  createdAt: Date;
  updatedAt: Date;
}

interface DbAccount {
  username: string;
  role: AccountRole;
  created_at: Date;
  updated_at: Date;
}

const ACCOUNT_COLUMNS = 'username, role, created_at, updated_at';

const toRow = (a: DbAccount): AccountRow => ({
  username: a.username,
  role: a.role,
  createdAt: a.created_at,
  updatedAt: a.updated_at,
});

const isAdminAccount = (username: string): boolean => accountKey(username) === accountKey(ADMIN_USERNAME);

export async function createAccount(
  db: Db,
  username: string,
  password: string,
  role: string,
): Promise<AccountRow> {
  parseAccountName(username);
  if (password === '') throw missingProperty('password');
  parsePassword(password);
  const accountRole = role === '' ? 'user' : parseRole(role);
  const hash = await hashPassword(password);
  const { rows } = await db.query<DbAccount>(
    `INSERT INTO accounts (username_key, username, password_hash, role) VALUES ($1, $2, $3, $4)
     ON CONFLICT (username_key) DO NOTHING RETURNING ${ACCOUNT_COLUMNS}`,
    [accountKey(username), username, hash, accountRole],
  );
  if (!rows[0]) {
    throw new MqfleetError('ALREADY_EXISTS', `account "${username}" already exists`, 'username');
  }
  return toRow(rows[0]);
}

export async function alterAccount(
  db: Db,
  username: string,
  password: string | undefined,
  role: string | undefined,
  callerToken: string,
): Promise<{ account: AccountRow; tokensRevoked: number }> {
  parseAccountName(username);
  if (password === undefined && role === undefined) {
    throw new MqfleetError('MISSING_PROPERTY', '"password" or "role" is required', 'password');
  }
  if (password !== undefined) parsePassword(password);
  const newRole = role === undefined ? undefined : parseRole(role);
  if (newRole === 'user' && isAdminAccount(username)) {
    throw new MqfleetError('INVALID_VALUE', `account "${ADMIN_USERNAME}" cannot be demoted`, 'role');
  }
  const hash = password === undefined ? null : await hashPassword(password);
  const altered = await inTransaction(db, async (tx) => {
    const { rows } = await tx.query<DbAccount>(
      `UPDATE accounts SET password_hash = COALESCE($2, password_hash), role = COALESCE($3, role),
              updated_at = now()
        WHERE username_key = $1 RETURNING ${ACCOUNT_COLUMNS}`,
      [accountKey(username), hash, newRole ?? null],
    );
    if (!rows[0]) throw notFound(`account "${username}"`);
    let tokensRevoked = 0;
    if (hash !== null) {
      const res = await tx.query('DELETE FROM api_tokens WHERE username_key = $1 AND token_hash <> $2', [
        accountKey(username),
        tokenHash(callerToken),
      ]);
      tokensRevoked = res.rowCount ?? 0;
    }
    return { account: toRow(rows[0]), tokensRevoked };
  });
  forgetTokens(); // a new role or a revoked token counts from the next request on
  return altered;
}

export async function deleteAccount(
  db: Db,
  username: string,
): Promise<{ username: string; tokensRevoked: number }> {
  parseAccountName(username);
  if (isAdminAccount(username)) {
    throw new MqfleetError('INVALID_VALUE', `account "${ADMIN_USERNAME}" cannot be deleted`, 'username');
  }
  const deleted = await inTransaction(db, async (tx) => {
    // Tokens go explicitly (not only by the ON DELETE CASCADE) so the count can be reported.
    const tokens = await tx.query('DELETE FROM api_tokens WHERE username_key = $1', [accountKey(username)]);
    const { rows } = await tx.query<{ username: string }>(
      'DELETE FROM accounts WHERE username_key = $1 RETURNING username',
      [accountKey(username)],
    );
    if (!rows[0]) throw notFound(`account "${username}"`);
    return { username: rows[0].username, tokensRevoked: tokens.rowCount ?? 0 };
  });
  forgetTokens();
  return deleted;
}

export async function listAccounts(db: Db, partialUsername: string): Promise<AccountRow[]> {
  if (Buffer.byteLength(partialUsername, 'utf8') > ACCOUNT_NAME_MAX_BYTES) {
    throw tooLarge('partialUsername', `${ACCOUNT_NAME_MAX_BYTES} bytes`);
  }
  const { rows } = await db.query<DbAccount>(
    `SELECT ${ACCOUNT_COLUMNS} FROM accounts
      WHERE strpos(username_key, $1) > 0 ORDER BY username_key`,
    [accountKey(partialUsername)],
  );
  return rows.map(toRow);
}

/** Deletes the token itself; false when it did not exist or had expired. */
export async function deleteToken(db: Db, token: string | undefined): Promise<boolean> {
  if (!token) return false;
  const res = await db.query(
    `DELETE FROM api_tokens
      WHERE token_hash = $1
        AND (idle_timeout_seconds = 0 OR last_used_at > now() - make_interval(secs => idle_timeout_seconds))`,
    [tokenHash(token)],
  );
  // An expired token is removed as well, but still reported as not found.
  if (!res.rowCount) await db.query('DELETE FROM api_tokens WHERE token_hash = $1', [tokenHash(token)]);
  forgetTokens();
  return (res.rowCount ?? 0) > 0;
}

export interface TokenRow {
  id: string;
  username: string;
  description: string;
  idleTimeoutSeconds: number;
  createdAt: Date;
  lastUsedAt: Date;
  current: boolean;
}

/** Live tokens of the actor's account; `ids` (first 8 hex digits of the SHA-256) filter them. */
export async function describeTokens(
  db: Db,
  actor: Actor,
  callerToken: string,
  ids: readonly string[],
): Promise<TokenRow[]> {
  for (const id of ids) {
    if (!/^[0-9a-f]{8}$/i.test(id)) throw invalidValue('ids', 'token ids of 8 hex digits', id);
  }
  const { rows } = await db.query<{
    id: string;
    description: string;
    idle_timeout_seconds: number;
    created_at: Date;
    last_used_at: Date;
    current: boolean;
  }>(
    `SELECT substr(encode(token_hash, 'hex'), 1, 8) AS id, description, idle_timeout_seconds,
            created_at, last_used_at, token_hash = $2 AS current
       FROM api_tokens
      WHERE username_key = $1
        AND (idle_timeout_seconds = 0 OR last_used_at > now() - make_interval(secs => idle_timeout_seconds))
        AND (cardinality($3::text[]) = 0 OR substr(encode(token_hash, 'hex'), 1, 8) = ANY($3::text[]))
      ORDER BY created_at, token_hash`,
    [accountKey(actor.username), tokenHash(callerToken), ids.map((id) => id.toLowerCase())],
  );
  return rows.map((r) => ({
    id: r.id,
    username: actor.username,
    description: r.description,
    idleTimeoutSeconds: r.idle_timeout_seconds,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    current: r.current,
  }));
}
