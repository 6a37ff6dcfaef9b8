// api "admin": account management (createAccount, alterAccount, deleteAccount, listAccounts).
// mqfleet's own actions: FairCom manages accounts elsewhere. The session-service's AccountService
// enforces the rules (admin role, ADMIN protected, names/passwords/roles); here only the JSON
// types and sizes are checked, with the same limits.
import { ACCOUNT_NAME_MAX_BYTES, ACCOUNT_PASSWORD_MAX_BYTES } from '@mqfleet/core';
import type {
  Account__Output,
  AlterAccountResponse__Output,
  CreateAccountResponse__Output,
  DeleteAccountResponse__Output,
  ListAccountsResponse__Output,
} from '@mqfleet/proto';
import { unary } from '../backend';
import { apiTimestamp } from '../render';
import { optionalString, requiredString } from './params';
import { object, openObject, ref, str, timestamp } from '../schemas';
import type { ActionDef } from './types';

const ROLE_MAX_BYTES = 16;

function renderAccount(account: Account__Output | null): Record<string, unknown> {
  if (!account) throw new Error('AccountService answered without an account');
  return {
    username: account.username,
    role: account.role,
    createdAt: apiTimestamp(account.createdAt),
  };
}

const createAccount: ActionDef = {
  api: 'admin',
  name: 'createAccount',
  tokenRequired: true,
  summary: 'Creates an account (role admin needed)',
  params: object(
    {
      username: str(ACCOUNT_NAME_MAX_BYTES, 'Account name, unique in any case', 1),
      password: str(ACCOUNT_PASSWORD_MAX_BYTES, 'Password', 1),
      role: { type: 'string', enum: ['admin', 'user'], default: 'user' },
    },
    ['username', 'password'],
  ),
  result: ref('Account'),
  async run({ params, authToken, backend, serverSuppliedValues }) {
    const username = requiredString(params, 'username', ACCOUNT_NAME_MAX_BYTES);
    const password = requiredString(params, 'password', ACCOUNT_PASSWORD_MAX_BYTES);
    const role = optionalString(params, 'role', ROLE_MAX_BYTES);
    if (role === undefined) serverSuppliedValues.role = 'user';
    const created = await unary<CreateAccountResponse__Output>((cb) =>
      backend.accounts.createAccount(
        { username, password, role: role ?? 'user' },
        backend.bearer(authToken),
        backend.options(),
        cb,
      ),
    );
    return { result: renderAccount(created.account) };
  },
};

const alterAccount: ActionDef = {
  api: 'admin',
  name: 'alterAccount',
  tokenRequired: true,
  summary: "Changes an account's password and/or role (role admin needed)",
  params: object(
    {
      username: str(ACCOUNT_NAME_MAX_BYTES, 'Account name', 1),
      password: str(ACCOUNT_PASSWORD_MAX_BYTES, 'New password; deletes the other sessions', 1),
      role: { type: 'string', enum: ['admin', 'user'] },
    },
    ['username'],
    { anyOf: [{ required: ['password'] }, { required: ['role'] }] },
  ),
  result: {
    allOf: [ref('Account')],
    properties: { updatedAt: timestamp('Last change'), tokensRevoked: { type: 'integer' } },
  },
  async run({ params, authToken, backend }) {
    const username = requiredString(params, 'username', ACCOUNT_NAME_MAX_BYTES);
    const password = optionalString(params, 'password', ACCOUNT_PASSWORD_MAX_BYTES);
    const role = optionalString(params, 'role', ROLE_MAX_BYTES);
    const request: { username: string; password?: string; role?: string } = { username };
    if (password !== undefined) request.password = password;
    if (role !== undefined) request.role = role;
    const altered = await unary<AlterAccountResponse__Output>((cb) =>
      backend.accounts.alterAccount(request, backend.bearer(authToken), backend.options(), cb),
    );
    return {
      result: {
        ...renderAccount(altered.account),
        updatedAt: apiTimestamp(altered.account?.updatedAt),
        tokensRevoked: altered.tokensRevoked,
      },
    };
  },
};

const deleteAccount: ActionDef = {
  api: 'admin',
  name: 'deleteAccount',
  tokenRequired: true,
  summary: 'Deletes an account and its sessions (role admin needed)',
  params: object({ username: str(ACCOUNT_NAME_MAX_BYTES, 'Account name', 1) }, ['username']),
  result: openObject({ username: { type: 'string' }, tokensRevoked: { type: 'integer' } }),
  async run({ params, authToken, backend }) {
    const username = requiredString(params, 'username', ACCOUNT_NAME_MAX_BYTES);
    const deleted = await unary<DeleteAccountResponse__Output>((cb) =>
      backend.accounts.deleteAccount({ username }, backend.bearer(authToken), backend.options(), cb),
    );
    return { result: { username: deleted.username, tokensRevoked: deleted.tokensRevoked } };
  },
};

const listAccounts: ActionDef = {
  api: 'admin',
  name: 'listAccounts',
  tokenRequired: true,
  summary: 'Lists accounts ordered by name (role admin needed)',
  params: object({
    partialUsername: str(ACCOUNT_NAME_MAX_BYTES, 'Names that contain this (case-insensitive)'),
  }),
  result: openObject({ data: { type: 'array', items: ref('Account') } }),
  async run({ params, authToken, backend }) {
    const partialUsername = optionalString(params, 'partialUsername', ACCOUNT_NAME_MAX_BYTES) ?? '';
    const listed = await unary<ListAccountsResponse__Output>((cb) =>
      backend.accounts.listAccounts({ partialUsername }, backend.bearer(authToken), backend.options(), cb),
    );
    return { result: { data: listed.accounts.map(renderAccount) } };
  },
};

export const ACCOUNT_ACTIONS: ActionDef[] = [createAccount, alterAccount, deleteAccount, listAccounts];
