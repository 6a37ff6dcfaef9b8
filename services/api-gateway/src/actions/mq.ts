// api "mq": the session actions (docs/json-api.md): alterMqSession, describeMqSessions,
// listMqSessions, deleteMqSession, alterMqSessions, getMqSessionAudit; subscribeToMq is in
// subscriptions.ts, listGateways in gateways.ts.
import {
  invalidValue,
  missingProperty,
  parseAlterParams,
  parseClientName,
  parseSettingsParams,
  DEFAULT_SETTINGS,
  statusName,
} from '@mqfleet/core';
import type {
  AlterSessionRequest,
  AlterSessionsResponse__Output,
  DeleteSessionResponse__Output,
  DescribeSessionsResponse__Output,
  GetSessionAuditResponse__Output,
  ListSessionsRequest,
} from '@mqfleet/proto';
import { unary } from '../backend';
import {
  connectionStatusName,
  jsonFieldNames,
  renderLabelRef,
  renderPublishedTopics,
  renderSession,
  renderStats,
} from '../render';
import { parseFilter } from './filters';
import { optionalBoolean, optionalInteger, optionalString } from './params';
import type { ActionDef } from './types';
import {
  FILTER_PROPERTIES,
  SESSION_STATUSES,
  SETTINGS_PROPERTIES,
  bool,
  changedFields,
  clientName,
  int,
  nullableString,
  object,
  openObject,
  ref,
} from '../schemas';
import { subscribeToMq } from './subscriptions';

const alterMqSession: ActionDef = {
  api: 'mq',
  name: 'alterMqSession',
  tokenRequired: true,
  summary: 'Changes one session; a connected client stays connected and gets the change live',
  params: object(
    {
      clientName: clientName(),
      expectedVersion: {
        type: ['integer', 'string'],
        minimum: 1,
        pattern: '^[1-9]\\d{0,18}$',
        description: 'The version you read; a stale one → 12012 and nothing changes',
      },
      ...SETTINGS_PROPERTIES,
    },
    ['clientName'],
  ),
  result: {
    allOf: [ref('MqSession')],
    properties: {
      changedFields,
      liveApplied: {
        type: 'boolean',
        description:
          'true once the gateway holding the connection confirmed this version is in force (waits up to MQFLEET_APPLY_TIMEOUT_MS)',
      },
    },
  },
  async run({ params, authToken, backend, options }) {
    const { clientName, patch, expectedVersion } = parseAlterParams(params);
    const request: AlterSessionRequest = { clientName, patch };
    if (expectedVersion !== undefined) request.expectedVersion = expectedVersion;
    const altered = await backend.alterStream.alter(request, authToken);
    if (!altered.session) throw new Error('AlterSession answered without a session');
    return {
      result: {
        ...renderSession(altered.session, options),
        changedFields: jsonFieldNames(altered.changedFields),
        liveApplied: altered.liveApplied,
      },
    };
  },
};

const describeMqSessions: ActionDef = {
  api: 'mq',
  name: 'describeMqSessions',
  tokenRequired: true,
  summary: 'The named sessions in full (unknown names are left out)',
  params: object(
    {
      clientNames: { type: 'array', items: clientName('A session') },
      includeSubscribedTopics: bool("true adds each session's stored subscriptions (subscriptions[])", {
        default: false,
      }),
      includePublishedTopics: bool(
        "true adds publishedTopics: the topics each connected session's live connection published to, fetched from its gateway like stats (null when not connected or not answered; warning 12006 names them)",
        { default: false },
      ),
      includeStats: bool(
        'true adds stats (thresholds, sessionHealth, counters and rates) fetched live from the gateway holding each connected session; stats is null when the session is not connected or its gateway did not answer within MQFLEET_STATS_TIMEOUT_MS (warning 12006 names them)',
        { default: false },
      ),
    },
    ['clientNames'],
  ),
  result: openObject({ data: { type: 'array', items: ref('MqSession') } }),
  async run({ params, authToken, backend, options, warnings }) {
    const includeSubscriptions = optionalBoolean(params, 'includeSubscribedTopics') ?? false;
    const includeStats = optionalBoolean(params, 'includeStats') ?? false;
    const includePublishedTopics = optionalBoolean(params, 'includePublishedTopics') ?? false;
    const raw = params.clientNames;
    if (raw === undefined || raw === null) throw missingProperty('clientNames');
    if (!Array.isArray(raw) || !raw.every((n) => typeof n === 'string')) {
      throw invalidValue('clientNames', 'an array of strings', raw);
    }
    const clientNames = raw.map((name: string, i) => parseClientName(name, `clientNames[${i}]`));
    const described = await unary<DescribeSessionsResponse__Output>((cb) =>
      backend.session.describeSessions(
        { clientNames, includeStats, includePublishedTopics },
        backend.bearer(authToken),
        backend.options(),
        cb,
      ),
    );
    if ((includeStats || includePublishedTopics) && described.statsUnavailable.length > 0) {
      const what = [includeStats ? 'stats' : '', includePublishedTopics ? 'publishedTopics' : '']
        .filter(Boolean)
        .join(' and ');
      warnings.push({
        warningCode: 12006,
        warningMessage: `live statistics unavailable (gateway did not answer in time) for ${described.statsUnavailable.length} session(s): ${described.statsUnavailable
          .slice(0, 10)
          .map((n) => JSON.stringify(n.slice(0, 64)))
          .join(
            ', ',
          )}; their ${what} are null${includeStats ? ' and sessionHealth is the stored value' : ''}`,
      });
    }
    return {
      result: {
        data: described.sessions.map((s) => ({
          ...renderSession(s, options, includeSubscriptions),
          ...(includeStats ? { stats: renderStats(s) } : {}),
          ...(includePublishedTopics ? { publishedTopics: renderPublishedTopics(s) } : {}),
        })),
      },
    };
  },
};

/** Largest listMqSessions page. */
const MAX_LIST_PAGE = 10_000;
/** Most audit entries per getMqSessionAudit call. */
const MAX_AUDIT_PAGE = 1000;

/** FairCom's four sorts and our sessionHealth (services/session-service/src/listing.ts). */
const SORTS = ['lastConnect', 'lastDisconnect', 'clientName', 'ipAddress', 'sessionHealth'];

const listMqSessions: ActionDef = {
  api: 'mq',
  name: 'listMqSessions',
  tokenRequired: true,
  summary: 'Lists sessions by filters, sorted, with keyset paging',
  params: object(
    {
      ...FILTER_PROPERTIES,
      sortAscending: { type: 'string', enum: SORTS, description: 'Default clientName ascending' },
      sortDescending: { type: 'string', enum: SORTS, description: 'Not with sortAscending' },
      skipRecords: int(0, 2_147_483_647, 'Offset', { default: 0 }),
      maxRecords: int(1, MAX_LIST_PAGE, 'Page size', { default: 1000 }),
      cursor: {
        type: 'string',
        maxLength: 140_000,
        description: 'result.nextCursor of the previous page (same sort only)',
      },
    },
    [],
    { not: { required: ['sortAscending', 'sortDescending'] } },
  ),
  result: openObject({
    data: {
      type: 'array',
      items: openObject({
        clientName: { type: 'string' },
        sessionType: { type: 'string' },
        sessionStatus: { type: 'string', enum: SESSION_STATUSES },
        connectionStatus: { type: 'string', enum: ['connected', 'disconnected'] },
        label: {
          type: ['object', 'null'],
          properties: { id: { type: 'integer' }, group: { type: 'string' }, name: { type: 'string' } },
        },
        labelId: { type: ['integer', 'null'] },
      }),
    },
    nextCursor: nullableString('Cursor of the next page; null on the last page'),
  }),
  async run({ params, authToken, backend }) {
    const asc = optionalString(params, 'sortAscending', 64);
    const desc = optionalString(params, 'sortDescending', 64);
    if (asc !== undefined && desc !== undefined) {
      throw invalidValue('sortDescending', 'absent when "sortAscending" is given (one sort at a time)');
    }
    const sortBy = asc ?? desc ?? 'clientName';
    if (!SORTS.includes(sortBy)) {
      throw invalidValue(
        asc !== undefined ? 'sortAscending' : 'sortDescending',
        `one of ${SORTS.join(', ')}`,
        sortBy,
      );
    }
    const request: ListSessionsRequest = {
      filter: parseFilter(params),
      sortBy,
      descending: desc !== undefined,
      skipRecords: optionalInteger(params, 'skipRecords', 0, 2_147_483_647) ?? 0,
      maxRecords: optionalInteger(params, 'maxRecords', 1, MAX_LIST_PAGE) ?? 0,
      cursor: optionalString(params, 'cursor', 140_000) ?? '',
    };
    const listed = await backend.listSessions(request, backend.bearer(authToken), backend.options());
    return {
      result: {
        data: listed.sessions.map((s) => ({
          clientName: s.clientName,
          sessionType: s.sessionType,
          sessionStatus: statusName(s.settings?.sessionStatus),
          connectionStatus: connectionStatusName(s.connection?.status),
          ...renderLabelRef(s.settings ?? DEFAULT_SETTINGS),
        })),
        nextCursor: listed.nextCursor || null,
      },
    };
  },
};

const deleteMqSession: ActionDef = {
  api: 'mq',
  name: 'deleteMqSession',
  tokenRequired: true,
  summary: 'Deactivates (or permanently deletes) a session and disconnects its client (0x98)',
  params: object(
    {
      clientName: clientName(),
      permanentlyDeleteSession: bool('true removes the session; false only deactivates it', {
        default: false,
      }),
    },
    ['clientName'],
  ),
  result: openObject({
    clientName: { type: 'string' },
    sessionStatus: { type: 'string', enum: ['inactive', 'deleted'] },
    wasConnected: { type: 'boolean' },
    version: { type: 'string', pattern: '^\\d+$' },
  }),
  async run({ params, authToken, backend }) {
    const clientName = parseClientName(params.clientName);
    const permanently = optionalBoolean(params, 'permanentlyDeleteSession') ?? false;
    const res = await unary<DeleteSessionResponse__Output>((cb) =>
      backend.session.deleteSession(
        { clientName, permanently },
        backend.bearer(authToken),
        backend.options(),
        cb,
      ),
    );
    return {
      result: {
        clientName,
        sessionStatus: res.deleted ? 'deleted' : 'inactive',
        wasConnected: res.wasConnected,
        version: res.version,
      },
    };
  },
};

const alterMqSessions: ActionDef = {
  api: 'mq',
  name: 'alterMqSessions',
  tokenRequired: true,
  summary: 'Applies one change to every session a filter matches, in one transaction',
  params: object(
    {
      filter: object(FILTER_PROPERTIES, [], {
        description: 'listMqSessions filters; empty matches every session that is not hidden',
      }),
      changes: object(SETTINGS_PROPERTIES, [], {
        description: 'alterMqSession properties except clientName and expectedVersion',
      }),
    },
    ['changes'],
  ),
  result: openObject({
    matchedSessions: { type: 'integer' },
    changedSessions: { type: 'integer' },
    connectedSessions: { type: 'integer', description: 'changed sessions whose client is connected' },
    liveAppliedSessions: {
      type: 'integer',
      description: 'connected changed sessions whose gateway confirmed the change in time',
    },
  }),
  async run({ params, authToken, backend }) {
    const filter = params.filter ?? {};
    if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
      throw invalidValue('filter', 'an object of listMqSessions filters', filter);
    }
    const changes = params.changes;
    if (changes === undefined || changes === null) throw missingProperty('changes');
    if (typeof changes !== 'object' || Array.isArray(changes)) {
      throw invalidValue('changes', 'an object of alterMqSession properties', changes);
    }
    const patch = parseSettingsParams(changes as Record<string, unknown>, 'alterMqSessions');
    const res = await unary<AlterSessionsResponse__Output>((cb) =>
      backend.session.alterSessions(
        { filter: parseFilter(filter as Record<string, unknown>), patch },
        backend.bearer(authToken),
        backend.options(),
        cb,
      ),
    );
    return {
      result: {
        matchedSessions: res.matched,
        changedSessions: res.changed,
        connectedSessions: res.connected,
        liveAppliedSessions: res.liveApplied,
      },
    };
  },
};

const getMqSessionAudit: ActionDef = {
  api: 'mq',
  name: 'getMqSessionAudit',
  tokenRequired: true,
  summary: "A session's audit trail in version order",
  params: object(
    {
      clientName: clientName(),
      afterVersion: int(0, Number.MAX_SAFE_INTEGER, 'Entries after this version', { default: 0 }),
      maxRecords: int(1, MAX_AUDIT_PAGE, 'Entries at most', { default: 100 }),
    },
    ['clientName'],
  ),
  result: openObject({
    data: {
      type: 'array',
      items: openObject({
        version: { type: 'string' },
        actor: { type: 'string' },
        action: { type: 'string', enum: ['alter', 'bulk-alter', 'deactivate', 'delete', 'subscriptions'] },
        changes: {
          type: 'object',
          additionalProperties: { type: 'object', properties: { before: {}, after: {} } },
          description: 'Each changed field (gRPC names, e.g. willQos) → {before, after}',
        },
        at: { type: 'string' },
      }),
    },
  }),
  async run({ params, authToken, backend }) {
    const clientName = parseClientName(params.clientName);
    const afterVersion = optionalInteger(params, 'afterVersion', 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const maxRecords = optionalInteger(params, 'maxRecords', 1, MAX_AUDIT_PAGE) ?? 0;
    const res = await unary<GetSessionAuditResponse__Output>((cb) =>
      backend.session.getSessionAudit(
        { clientName, afterVersion: String(afterVersion), maxRecords },
        backend.bearer(authToken),
        backend.options(),
        cb,
      ),
    );
    return {
      result: {
        data: res.entries.map((e) => ({
          version: e.version,
          actor: e.actor,
          action: e.action,
          changes: JSON.parse(e.changesJson) as unknown,
          at: e.at,
        })),
      },
    };
  },
};

export const MQ_ACTIONS: ActionDef[] = [
  alterMqSession,
  describeMqSessions,
  listMqSessions,
  deleteMqSession,
  alterMqSessions,
  getMqSessionAudit,
  subscribeToMq,
];
