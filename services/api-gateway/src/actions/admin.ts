// api "admin": createSession and pingSession (reference §5.2, §5.6).
import {
  DEFAULT_TOKEN_IDLE_SECONDS,
  MAX_CLIENT_NAME_BYTES,
  missingProperty,
  UINT32_MAX,
} from '@mqfleet/core';
import type { CreateTokenResponse__Output, WhoAmIResponse__Output } from '@mqfleet/proto';
import { unary } from '../backend';
import { apiTimestamp } from '../render';
import { checkKnown, optionalInteger, optionalString, requiredString } from './params';
import type { ActionDef } from './types';

const MAX_USERNAME_BYTES = 256;
const MAX_PASSWORD_BYTES = 1024;
const IDLE_CURSOR_TIMEOUT_SECONDS = 600;

const CREATE_SESSION_PARAMS = ['username', 'password', 'description', 'idleConnectionTimeoutSeconds'];
/** Documented createSession parameters we accept but do not act on yet (a warning says so). */
const CREATE_SESSION_IGNORED = [
  'defaultApi',
  'defaultDebug',
  'defaultDatabaseName',
  'defaultOwnerName',
  'defaultBinaryFormat',
  'defaultVariantFormat',
  'defaultResponseOptions',
  'idleCursorTimeoutSeconds',
  'permanentSession',
];

const createSession: ActionDef = {
  api: 'admin',
  name: 'createSession',
  tokenRequired: false,
  async run({ params, backend, warnings, serverSuppliedValues }) {
    checkKnown(params, CREATE_SESSION_PARAMS, CREATE_SESSION_IGNORED, warnings);
    const username = requiredString(params, 'username', MAX_USERNAME_BYTES);
    // An empty password is a wrong password (12033), not a missing one.
    if (params.password === undefined || params.password === null) throw missingProperty('password');
    const password = optionalString(params, 'password', MAX_PASSWORD_BYTES) ?? '';
    const description = optionalString(params, 'description', MAX_CLIENT_NAME_BYTES) ?? '';
    const idle = optionalInteger(params, 'idleConnectionTimeoutSeconds', 0, UINT32_MAX);
    if (idle === undefined) serverSuppliedValues.idleConnectionTimeoutSeconds = DEFAULT_TOKEN_IDLE_SECONDS;

    const created = await unary<CreateTokenResponse__Output>((cb) =>
      backend.auth.createToken(
        idle === undefined
          ? { username, password, description }
          : { username, password, description, idleTimeoutSeconds: idle },
        backend.internal(),
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
      },
    };
  },
};

const pingSession: ActionDef = {
  api: 'admin',
  name: 'pingSession',
  tokenRequired: false,
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

export const ADMIN_ACTIONS: ActionDef[] = [createSession, pingSession];
