// api "admin": createSession, deleteSession, describeSessions and pingSession (docs/json-api.md).
// Account actions are in accounts.ts.
import { createHash } from 'node:crypto';
import {
  DEFAULT_TOKEN_IDLE_SECONDS,
  invalidValue,
  MAX_CLIENT_NAME_BYTES,
  missingProperty,
  tooLarge,
  UINT32_MAX,
} from '@mqfleet/core';
import type {
  CreateTokenResponse__Output,
  DeleteTokenResponse__Output,
  DescribeTokensResponse__Output,
  WhoAmIResponse__Output,
} from '@mqfleet/proto';
import { unary } from '../backend';
import { apiTimestamp } from '../render';
import { optionalInteger, optionalString, requiredString } from './params';
import {
  defaultResponseOptions,
  empty,
  ignored,
  int,
  object,
  openObject,
  ref,
  str,
  timestamp,
} from '../schemas';
import type { ActionDef } from './types';

const MAX_USERNAME_BYTES = 256;
const MAX_PASSWORD_BYTES = 1024;
const IDLE_CURSOR_TIMEOUT_SECONDS = 600;

/** The FairCom session defaults createSession answers (mqfleet takes them as they are). */
export const TOKEN_SESSION_DEFAULTS = {
  defaultApi: 'mq',
  defaultDebug: 'none',
  defaultBinaryFormat: 'hex',
  defaultVariantFormat: 'json',
  defaultResponseOptions: {
    binaryFormat: 'hex',
    variantFormat: 'json',
    dataFormat: 'objects',
    numberFormat: 'number',
  },
};

const createSession: ActionDef = {
  api: 'admin',
  name: 'createSession',
  tokenRequired: false,
  summary: 'Log in: a new authToken for the account (wrong username or password → 12033)',
  params: object(
    {
      username: str(MAX_USERNAME_BYTES, 'Account name', 1),
      password: str(MAX_PASSWORD_BYTES, 'Password; "" is a wrong password (12033)'),
      description: str(MAX_CLIENT_NAME_BYTES, 'Your own text about the session'),
      idleConnectionTimeoutSeconds: int(
        0,
        UINT32_MAX,
        'The token expires after this long unused; 0 = never',
        {
          default: DEFAULT_TOKEN_IDLE_SECONDS,
        },
      ),
      defaultApi: ignored('FairCom session default'),
      defaultDebug: ignored('FairCom session default'),
      defaultDatabaseName: ignored('FairCom session default'),
      defaultOwnerName: ignored('FairCom session default'),
      defaultBinaryFormat: ignored('FairCom session default'),
      defaultVariantFormat: ignored('FairCom session default'),
      defaultResponseOptions: ignored('FairCom session default'),
      idleCursorTimeoutSeconds: ignored('FairCom cursor timeout'),
      permanentSession: ignored('FairCom permanent session'),
    },
    ['username', 'password'],
  ),
  result: openObject({
    authToken: { type: 'string', description: 'Also returned as the top-level authToken' },
    username: { type: 'string' },
    role: { type: 'string', enum: ['admin', 'user'] },
    description: { type: 'string' },
    idleConnectionTimeoutSeconds: { type: 'integer' },
    idleCursorTimeoutSeconds: { type: 'integer' },
    permanentSession: { type: 'boolean' },
    sessionStartTimestamp: timestamp('Start'),
    sessionLastAccessedTimestamp: timestamp('Last use'),
    defaultApi: { type: 'string' },
    defaultDebug: { type: 'string' },
    defaultBinaryFormat: { type: 'string' },
    defaultVariantFormat: { type: 'string' },
    defaultResponseOptions,
  }),
  async run({ params, backend, clientAddress, serverSuppliedValues }) {
    const username = requiredString(params, 'username', MAX_USERNAME_BYTES);
    // An empty password is a wrong password (12033), not a missing one.
    if (params.password === undefined || params.password === null) throw missingProperty('password');
    const password = optionalString(params, 'password', MAX_PASSWORD_BYTES) ?? '';
    const description = optionalString(params, 'description', MAX_CLIENT_NAME_BYTES) ?? '';
    const idle = optionalInteger(params, 'idleConnectionTimeoutSeconds', 0, UINT32_MAX);
    if (idle === undefined) serverSuppliedValues.idleConnectionTimeoutSeconds = DEFAULT_TOKEN_IDLE_SECONDS;

    // Failed logins are throttled by the address they come from (docs/security.md).
    const metadata = backend.internal();
    metadata.set('x-mqfleet-client-address', clientAddress);
    const created = await unary<CreateTokenResponse__Output>((cb) =>
      backend.auth.createToken(
        idle === undefined
          ? { username, password, description }
          : { username, password, description, idleTimeoutSeconds: idle },
        metadata,
        backend.options(),
        cb,
      ),
    );
    const started = apiTimestamp(created.createdAt) ?? apiTimestamp(new Date().toISOString());
    return {
      authToken: created.token,
      result: {
        authToken: created.token,
        username: created.username,
        role: created.role,
        description,
        idleConnectionTimeoutSeconds: created.idleTimeoutSeconds,
        idleCursorTimeoutSeconds: IDLE_CURSOR_TIMEOUT_SECONDS,
        permanentSession: false,
        sessionStartTimestamp: started,
        sessionLastAccessedTimestamp: started,
        ...TOKEN_SESSION_DEFAULTS,
      },
    };
  },
};

const pingSession: ActionDef = {
  api: 'admin',
  name: 'pingSession',
  tokenRequired: false,
  summary: 'Without a token: is the API up; with one: checks it and refreshes its idle timer',
  params: { type: 'object', description: 'None (anything given is ignored)' },
  result: empty,
  async run({ authToken, backend }) {
    // Without a token it only says the API is up; with one it checks (and refreshes) the token.
    if (authToken !== '') {
      await unary<WhoAmIResponse__Output>((cb) =>
        backend.auth.whoAmI({}, backend.bearer(authToken), backend.options(), cb),
      );
    }
    return { result: {} };
  },
};

/** The text of the deleteSession warning for an unknown token, as FairCom documents it (docs/errors.md). */
const UNKNOWN_SESSION_WARNING = "'authToken' does not match any existing session. Use a valid 'authToken'.";

const deleteSession: ActionDef = {
  api: 'admin',
  name: 'deleteSession',
  tokenRequired: true,
  summary: "Closes the session of the request's authToken (an unknown token: errorCode 0 with warning 12031)",
  params: object({}),
  result: empty,
  async run({ authToken, backend, warnings }) {
    const deleted = await unary<DeleteTokenResponse__Output>((cb) =>
      backend.auth.deleteToken({}, backend.bearer(authToken), backend.options(), cb),
    );
    // Deleting what does not exist succeeds with a warning (docs/json-api.md).
    if (!deleted.found) {
      warnings.push({
        warningCode: 12031,
        warningMessage: UNKNOWN_SESSION_WARNING,
        code: 12031,
        message: UNKNOWN_SESSION_WARNING,
      });
    }
    return { result: {} };
  },
};

const MAX_DESCRIBED_TOKENS = 1024;
const MAX_TOKEN_BYTES = 255;
/** A token's id: the first 8 hex digits of its SHA-256 (what the session-service reports). */
const tokenId = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 8);

function parseAuthTokens(params: Record<string, unknown>): string[] | undefined {
  const value = params.authTokens;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidValue('authTokens', 'an array of authToken strings', value);
  if (value.length > MAX_DESCRIBED_TOKENS) throw tooLarge('authTokens', `${MAX_DESCRIBED_TOKENS} tokens`);
  return value.map((token: unknown, i) => {
    if (typeof token !== 'string' || token === '') {
      throw invalidValue(`authTokens[${i}]`, 'a non-empty string', token);
    }
    if (Buffer.byteLength(token, 'utf8') > MAX_TOKEN_BYTES) {
      throw tooLarge(`authTokens[${i}]`, `${MAX_TOKEN_BYTES} bytes`);
    }
    return token;
  });
}

/**
 * The caller's own live sessions (tokens of the same account). Tokens are secrets stored only as
 * hashes, so `authToken` is shown only for tokens the request itself holds: its own and those
 * listed in `authTokens`. `authTokens` filters by token value; tokens of other accounts, unknown
 * or expired ones are left out.
 */
const describeSessions: ActionDef = {
  api: 'admin',
  name: 'describeSessions',
  tokenRequired: true,
  summary: "The live sessions (tokens) of the caller's own account",
  params: object({
    authTokens: {
      type: ['array', 'null'],
      maxItems: 1024,
      items: { type: 'string', minLength: 1, maxLength: 255 },
      description:
        'Only these tokens (and their authToken is shown); [] = none; omitted = all of the account',
    },
  }),
  result: openObject({ sessions: { type: 'array', items: ref('TokenSession') } }),
  async run({ params, authToken, backend }) {
    const wanted = parseAuthTokens(params);
    const known = new Map([authToken, ...(wanted ?? [])].map((t) => [tokenId(t), t] as const));
    const ids = wanted?.map(tokenId) ?? [];
    const described = await unary<DescribeTokensResponse__Output>((cb) =>
      backend.auth.describeTokens({ ids }, backend.bearer(authToken), backend.options(), cb),
    );
    const tokens = wanted?.length === 0 ? [] : described.tokens;
    return {
      result: {
        sessions: tokens.map((t) => ({
          authToken: known.get(t.id) ?? null,
          sessionId: t.id,
          currentSession: t.current,
          username: t.username,
          description: t.description,
          idleConnectionTimeoutSeconds: t.idleTimeoutSeconds,
          permanentSession: false,
          sessionStartTimestamp: apiTimestamp(t.createdAt),
          sessionLastAccessedTimestamp: apiTimestamp(t.lastUsedAt),
        })),
      },
    };
  },
};

export const ADMIN_ACTIONS: ActionDef[] = [createSession, deleteSession, describeSessions, pingSession];
