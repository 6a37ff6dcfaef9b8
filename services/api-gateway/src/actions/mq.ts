// api "mq": alterMqSession and describeMqSessions (reference §6.2, §6.3).
import { invalidValue, missingProperty, parseAlterParams, parseClientName } from '@mqfleet/core';
import type {
  AlterSessionRequest,
  AlterSessionResponse__Output,
  DescribeSessionsResponse__Output,
} from '@mqfleet/proto';
import { unary } from '../backend';
import { jsonFieldNames, renderSession } from '../render';
import { checkKnown, optionalBoolean } from './params';
import type { ActionDef } from './types';

const alterMqSession: ActionDef = {
  api: 'mq',
  name: 'alterMqSession',
  tokenRequired: true,
  async run({ params, authToken, backend, options }) {
    const { clientName, patch, expectedVersion } = parseAlterParams(params);
    const request: AlterSessionRequest = { clientName, patch };
    if (expectedVersion !== undefined) request.expectedVersion = expectedVersion;
    const altered = await unary<AlterSessionResponse__Output>((cb) =>
      backend.session.alterSession(request, backend.bearer(authToken), backend.options(), cb),
    );
    if (!altered.session) throw new Error('AlterSession answered without a session');
    return {
      result: {
        ...renderSession(altered.session, options),
        changedFields: jsonFieldNames(altered.changedFields),
      },
    };
  },
};

const DESCRIBE_PARAMS = ['clientNames'];
/** Documented describeMqSessions options not implemented yet (a warning says so). */
const DESCRIBE_IGNORED = ['includeSubscribedTopics', 'includePublishedTopics', 'includeStats'];

const describeMqSessions: ActionDef = {
  api: 'mq',
  name: 'describeMqSessions',
  tokenRequired: true,
  async run({ params, authToken, backend, options, warnings }) {
    checkKnown(params, DESCRIBE_PARAMS, DESCRIBE_IGNORED, warnings);
    for (const name of DESCRIBE_IGNORED) optionalBoolean(params, name);
    const raw = params.clientNames;
    if (raw === undefined || raw === null) throw missingProperty('clientNames');
    if (!Array.isArray(raw) || !raw.every((n) => typeof n === 'string')) {
      throw invalidValue('clientNames', 'an array of strings', raw);
    }
    const clientNames = raw.map((name: string, i) => parseClientName(name, `clientNames[${i}]`));
    const described = await unary<DescribeSessionsResponse__Output>((cb) =>
      backend.session.describeSessions({ clientNames }, backend.bearer(authToken), backend.options(), cb),
    );
    return { result: { data: described.sessions.map((s) => renderSession(s, options)) } };
  },
};

export const MQ_ACTIONS: ActionDef[] = [alterMqSession, describeMqSessions];
