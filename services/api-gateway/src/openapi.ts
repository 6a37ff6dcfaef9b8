// The OpenAPI 3.1 document of the api-gateway (POST /api with one request schema per action,
// GET /health/*), served at GET /openapi.json with a Swagger UI at GET /docs. The action
// schemas are written out here from docs/json-api.md and the checks in src/actions and core's
// parseAlterParams; test/openapi.test.ts keeps them in step with the action registry.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import {
  ACCOUNT_NAME_MAX_BYTES,
  ACCOUNT_PASSWORD_MAX_BYTES,
  DEFAULT_TOKEN_IDLE_SECONDS,
  ERROR_KINDS,
  MAX_CLIENT_NAME_BYTES,
  MAX_JSON_VALUE_BYTES,
  MAX_LABEL_BYTES,
  MAX_LABEL_ID,
  MAX_SUBSCRIPTION_IDENTIFIER,
  UINT32_MAX,
  settingsParamSchemas,
  settingsResultSchemas,
} from '@mqfleet/core';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str = (maxBytes: number, description: string, minLength = 0): Schema => ({
  type: 'string',
  ...(minLength > 0 ? { minLength } : {}),
  maxLength: maxBytes,
  description: `${description} (at most ${maxBytes.toLocaleString('en-US')} bytes of UTF-8)`,
});
const int = (minimum: number, maximum: number, description: string, extra: Schema = {}): Schema => ({
  type: 'integer',
  minimum,
  maximum,
  description,
  ...extra,
});
const bool = (description: string, extra: Schema = {}): Schema => ({
  type: 'boolean',
  description,
  ...extra,
});
const anyJson = (description: string): Schema => ({
  description: `${description}; any JSON value up to ${MAX_JSON_VALUE_BYTES.toLocaleString('en-US')} bytes`,
});
const ignored = (description: string): Schema => ({
  description: `${description}. Accepted but not acted on yet: warning 12006 in debugInfo.warnings.`,
});
const timestamp = (description: string): Schema => ({
  type: ['string', 'null'],
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$',
  description: `${description}; YYYY-MM-DDTHH:MM:SS (UTC), null when absent`,
});
const object = (properties: Record<string, Schema>, required: string[] = [], extra: Schema = {}): Schema => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
  additionalProperties: false,
  ...extra,
});

// ---------------------------------------------------------------------------------------------
// Shared parts of the action schemas

const SESSION_STATUSES = ['normal', 'hidden', 'banned', 'inactive'];
const BINARY_FORMATS = ['hex', 'base64', 'byteArray'];
const SORTS = ['clientName', 'lastConnect', 'lastDisconnect', 'ipAddress'];
const MAX_FILTER_ENTRIES = 10_000;

const clientName = (description = 'The session (MQTT client identifier)'): Schema =>
  str(MAX_CLIENT_NAME_BYTES, description, 1);

const labelRef = (description: string, nullable: boolean): Schema => ({
  type: nullable ? ['object', 'null'] : 'object',
  description,
  properties: {
    group: str(MAX_LABEL_BYTES, 'Label group; "" (default) is the default group'),
    name: str(MAX_LABEL_BYTES, 'Label name', 1),
  },
  required: ['name'],
  additionalProperties: false,
});

/**
 * The session settings of alterMqSession, also the `changes` of alterMqSessions: from the field
 * table (core session-fields.ts), which the gateway validates against too.
 */
const SETTINGS_PROPERTIES = settingsParamSchemas() as Record<string, Schema>;

/** The listMqSessions filters, also the `filter` of alterMqSessions. */
const FILTER_PROPERTIES: Record<string, Schema> = {
  partialClientName: str(MAX_CLIENT_NAME_BYTES, 'Client names that begin with this'),
  connectionStatusFilter: {
    type: ['array', 'null'],
    items: { type: 'string', enum: ['connected', 'disconnected'] },
  },
  sessionStatusFilter: {
    type: ['array', 'null'],
    items: { type: 'string', enum: SESSION_STATUSES },
    description: 'Hidden sessions are left out unless this names "hidden"',
  },
  sessionTypeFilter: { type: ['array', 'null'], items: { type: 'string', enum: ['mqtt'] } },
  healthFilter: {
    type: ['array', 'null'],
    items: { type: 'string', enum: ['healthy', 'unhealthy', 'offline'] },
    description:
      'Session health as last reported by the gateway holding the connection (evaluated every MQFLEET_HEALTH_INTERVAL_MS); "offline" = not connected',
  },
  unsetHealthMeasures: bool(
    'With a healthFilter: also match sessions that have no health thresholds set (all five 0), whatever their health. Without a healthFilter it changes nothing',
    { default: false },
  ),
  label: labelRef(
    'Sessions with this label (by group + name); a label that does not exist matches none',
    true,
  ),
  labelId: {
    type: ['integer', 'string', 'null'],
    minimum: 0,
    maximum: MAX_LABEL_ID,
    pattern: '^\\d{1,10}$',
    description: 'Sessions with the label of this id; not with label',
  },
};

const LABEL_VALUE_PROPERTIES: Record<string, Schema> = {
  value: anyJson("The label's value (null removes it)"),
  enum: {
    type: ['integer', 'string'],
    minimum: -32768,
    maximum: 32767,
    pattern: '^\\s*-?\\d+\\s*$',
    description: 'An integer from -32,768 to 32,767 (a numeric string is accepted); default 0',
  },
  sequence: {
    type: ['number', 'string', 'null'],
    description: 'A number (a numeric string is accepted); null removes it',
  },
  deprecated: bool('Default false'),
  description: {
    type: ['string', 'null'],
    minLength: 1,
    maxLength: MAX_JSON_VALUE_BYTES,
    description: '1 to 65,500 bytes; null removes it',
  },
  metadata: anyJson('Your own data about the label (null removes it)'),
};
const labelId: Schema = {
  type: ['integer', 'string'],
  minimum: 0,
  maximum: MAX_LABEL_ID,
  pattern: '^\\s*\\d+\\s*$',
  description: 'The label id (a numeric string is accepted)',
};
const LABEL_KEY_PROPERTIES: Record<string, Schema> = {
  id: labelId,
  group: str(MAX_LABEL_BYTES, 'Group of the label named by name; default ""'),
  name: str(MAX_LABEL_BYTES, 'Name of the label (with group)', 1),
};
const LABEL_RENAME_PROPERTIES: Record<string, Schema> = {
  newGroup: str(MAX_LABEL_BYTES, 'Moves the label to this group'),
  newName: str(MAX_LABEL_BYTES, 'Renames the label', 1),
};
/** `id` or `name` (with `group`), never both. */
const LABEL_KEY_CHOICE: Schema = {
  oneOf: [
    { required: ['id'], not: { anyOf: [{ required: ['name'] }, { required: ['group'] }] } },
    { required: ['name'], not: { required: ['id'] } },
  ],
};
const stringList = (description: string, items: Schema = { type: 'string' }): Schema => ({
  type: ['array', 'null'],
  maxItems: MAX_FILTER_ENTRIES,
  items,
  description,
});

// ---------------------------------------------------------------------------------------------
// Result schemas

const defaultResponseOptions: Schema = {
  type: 'object',
  properties: {
    binaryFormat: { type: 'string', enum: BINARY_FORMATS },
    variantFormat: { type: 'string' },
    dataFormat: { type: 'string' },
    numberFormat: { type: 'string', enum: ['number', 'string'] },
  },
};
const nullableString = (description: string): Schema => ({ type: ['string', 'null'], description });
const openObject = (properties: Record<string, Schema>, description?: string): Schema => ({
  type: 'object',
  properties,
  ...(description ? { description } : {}),
});

const RESULT_SCHEMAS: Record<string, Schema> = {
  MqSession: openObject(
    {
      clientName: { type: 'string' },
      sessionType: { type: 'string', examples: ['mqtt'] },
      username: nullableString('Account of the last connection'),
      ipaddress: nullableString('Address of the last connection'),
      port: { type: ['integer', 'null'] },
      mqttProtocol: nullableString('"3.1.1" or "5.0"'),
      connectionStatus: { type: 'string', enum: ['connected', 'disconnected'] },
      connectionDateTime: timestamp('Last connection'),
      disconnectionDateTime: timestamp('Last disconnection'),
      disconnectionReason: nullableString('Why the last connection ended'),
      lastFailedConnectionDateTime: timestamp('Last refused connection'),
      lastFailedConnectionReason: nullableString('Why it was refused'),
      ...(settingsResultSchemas() as Record<string, Schema>),
      publishedTopics: {
        type: ['array', 'null'],
        description:
          'describeMqSessions with includePublishedTopics only: the topics the live connection published to, most recent first (at most 100 distinct topics, 64 KiB of topic names, kept by the gateway holding the connection); null when the session is not connected or its gateway did not answer',
        items: openObject({
          topic: { type: 'string' },
          totalMessagesPublished: {
            type: 'integer',
            description: 'PUBLISH packets to this topic on this connection',
          },
          lastMessagePublishedOn: timestamp('The last one'),
        }),
      },
      sessionHealth: {
        type: 'string',
        enum: ['healthy', 'unhealthy', 'offline'],
        description: 'Stored session health (describeMqSessions with includeStats: the live evaluation)',
      },
      stats: {
        type: ['object', 'null'],
        description:
          'describeMqSessions with includeStats only: live statistics of the connection (docs/json-api.md); null when not available',
      },
      defaultBinaryFormat: { type: 'string', enum: BINARY_FORMATS },
      defaultVariantFormat: { type: 'string' },
      defaultResponseOptions,
      version: {
        type: 'string',
        pattern: '^\\d+$',
        description: 'Version of the session (uint64 as a string); expectedVersion of alterMqSession',
      },
      createdAt: timestamp('Creation'),
      updatedAt: timestamp('Last change'),
      subscriptions: {
        type: 'array',
        description:
          'The stored subscriptions, by topic filter: in subscribeToMq results, and in describeMqSessions with includeSubscribedTopics true',
        items: openObject({
          topicFilter: { type: 'string' },
          qos: { type: 'integer', minimum: 0, maximum: 2, description: 'Maximum QoS of deliveries' },
          receiveMyMessages: { type: 'boolean', description: 'false = MQTT 5 No Local' },
          retainAsPublished: { type: 'boolean' },
          receiveRetainedMessages: { type: 'string', enum: ['onSubscription', 'onNewSubscription', 'never'] },
          subscriptionIdentifier: { type: ['integer', 'null'], description: 'null when none' },
        }),
      },
    },
    'A session as describeMqSessions renders it',
  ),
  Account: openObject({
    username: { type: 'string' },
    role: { type: 'string', enum: ['admin', 'user'] },
    createdAt: timestamp('Creation'),
  }),
  Label: openObject({
    id: { type: 'integer' },
    group: { type: 'string' },
    name: { type: 'string' },
    value: { description: 'Any JSON value; null when not set' },
    enum: { type: 'integer' },
    sequence: { type: ['number', 'null'] },
    deprecated: { type: 'boolean' },
    description: { type: ['string', 'null'] },
    metadata: { description: 'Any JSON value; null when not set' },
  }),
  TokenSession: openObject({
    authToken: nullableString('Shown only for tokens the request holds'),
    sessionId: { type: 'string', pattern: '^[0-9a-f]{8}$', description: 'First 8 hex digits of SHA-256' },
    currentSession: { type: 'boolean' },
    username: { type: 'string' },
    description: { type: 'string' },
    idleConnectionTimeoutSeconds: { type: 'integer' },
    permanentSession: { type: 'boolean' },
    sessionStartTimestamp: timestamp('Start'),
    sessionLastAccessedTimestamp: timestamp('Last use'),
  }),
};
const changedFields: Schema = {
  type: 'array',
  items: { type: 'string' },
  description: 'The properties whose value really changed',
};
const empty: Schema = { type: 'object', maxProperties: 0 };

// ---------------------------------------------------------------------------------------------
// The actions

export interface ActionDoc {
  api: 'admin' | 'mq';
  /** Whether a request without authToken is refused with 12031 before anything else. */
  tokenRequired: boolean;
  summary: string;
  params: Schema;
  result: Schema;
}

export const ACTION_DOCS: Record<string, ActionDoc> = {
  createSession: {
    api: 'admin',
    tokenRequired: false,
    summary: 'Log in: a new authToken for the account (wrong username or password → 12033)',
    params: object(
      {
        username: str(256, 'Account name', 1),
        password: str(1024, 'Password; "" is a wrong password (12033)'),
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
  },
  pingSession: {
    api: 'admin',
    tokenRequired: false,
    summary: 'Without a token: is the API up; with one: checks it and refreshes its idle timer',
    params: { type: 'object', description: 'None (anything given is ignored)' },
    result: empty,
  },
  deleteSession: {
    api: 'admin',
    tokenRequired: true,
    summary:
      "Closes the session of the request's authToken (an unknown token: errorCode 0 with warning 12031)",
    params: object({}),
    result: empty,
  },
  describeSessions: {
    api: 'admin',
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
  },
  createAccount: {
    api: 'admin',
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
  },
  alterAccount: {
    api: 'admin',
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
  },
  deleteAccount: {
    api: 'admin',
    tokenRequired: true,
    summary: 'Deletes an account and its sessions (role admin needed)',
    params: object({ username: str(ACCOUNT_NAME_MAX_BYTES, 'Account name', 1) }, ['username']),
    result: openObject({ username: { type: 'string' }, tokensRevoked: { type: 'integer' } }),
  },
  listAccounts: {
    api: 'admin',
    tokenRequired: true,
    summary: 'Lists accounts ordered by name (role admin needed)',
    params: object({
      partialUsername: str(ACCOUNT_NAME_MAX_BYTES, 'Names that contain this (case-insensitive)'),
    }),
    result: openObject({ data: { type: 'array', items: ref('Account') } }),
  },
  createLabel: {
    api: 'admin',
    tokenRequired: true,
    summary: 'Creates a label (role admin needed)',
    params: object(
      {
        group: str(MAX_LABEL_BYTES, 'Group; default "" (the default group)'),
        name: str(MAX_LABEL_BYTES, 'Name, unique within its group', 1),
        ...LABEL_VALUE_PROPERTIES,
      },
      ['name'],
    ),
    result: ref('Label'),
  },
  alterLabel: {
    api: 'admin',
    tokenRequired: true,
    summary: 'Changes a label named by id or by group + name (role admin needed)',
    params: object(
      { ...LABEL_KEY_PROPERTIES, ...LABEL_RENAME_PROPERTIES, ...LABEL_VALUE_PROPERTIES },
      [],
      LABEL_KEY_CHOICE,
    ),
    result: { allOf: [ref('Label')], properties: { changedFields } },
  },
  listLabels: {
    api: 'admin',
    tokenRequired: true,
    summary: 'Lists labels ordered by group, name (role admin needed)',
    params: object({
      idFilter: stringList('Label ids; excludes every other filter', labelId),
      groupFilter: stringList('Groups; excludes partialGroupFilter'),
      partialGroupFilter: str(MAX_LABEL_BYTES, 'Groups that begin with this', 1),
      nameFilter: stringList('Names; excludes partialNameFilter'),
      partialNameFilter: str(MAX_LABEL_BYTES, 'Names that begin with this', 1),
      deprecatedFilter: bool('Only deprecated (true) or not deprecated (false) labels'),
      enumFilter: stringList('enum values', LABEL_VALUE_PROPERTIES.enum),
      sequenceFilter: stringList('sequence values', { type: ['number', 'string'] }),
      includeDescription: bool('Include description', { default: false }),
      includeMetadata: bool('Include metadata', { default: false }),
    }),
    result: openObject({ data: { type: 'array', items: ref('Label') } }),
  },
  listLabelGroups: {
    api: 'admin',
    tokenRequired: true,
    summary: 'The distinct label groups in use, sorted (role admin needed)',
    params: object({ partialGroupFilter: str(MAX_LABEL_BYTES, 'Groups that begin with this', 1) }),
    result: openObject({ groups: { type: 'array', items: { type: 'string' } } }),
  },
  changeLabels: {
    api: 'admin',
    tokenRequired: true,
    summary:
      "Alters or deletes many labels in one transaction, all or nothing: FairCom's form (the listLabels filters select, the new… properties change, or delete) or a list of labelsToChange (role admin needed)",
    params: {
      oneOf: [
        object(
          {
            idFilter: stringList('Label ids; excludes every other filter', labelId),
            groupFilter: stringList('Groups; excludes partialGroupFilter'),
            partialGroupFilter: str(MAX_LABEL_BYTES, 'Groups that begin with this', 1),
            nameFilter: stringList('Names; excludes partialNameFilter'),
            partialNameFilter: str(MAX_LABEL_BYTES, 'Names that begin with this', 1),
            deprecatedFilter: bool('Only deprecated (true) or not deprecated (false) labels'),
            enumFilter: stringList('enum values', LABEL_VALUE_PROPERTIES.enum),
            sequenceFilter: stringList('sequence values', { type: ['number', 'string'] }),
            newGroup: str(MAX_LABEL_BYTES, 'Moves every selected label to this group'),
            newName: str(MAX_LABEL_BYTES, 'Renames every selected label (a clash in a group → 12020)', 1),
            newValue: LABEL_VALUE_PROPERTIES.value!,
            newEnum: LABEL_VALUE_PROPERTIES.enum!,
            newSequence: LABEL_VALUE_PROPERTIES.sequence!,
            newDeprecated: LABEL_VALUE_PROPERTIES.deprecated!,
            newDescription: LABEL_VALUE_PROPERTIES.description!,
            newMetadata: LABEL_VALUE_PROPERTIES.metadata!,
            delete: bool(
              'true (with no new… property) deletes every selected label; a label sessions carry → 12026',
            ),
          },
          [],
          {
            description:
              "FairCom's form. No filter selects every label. At least one new… property or delete is required (else 12025)",
          },
        ),
        object(
          {
            labelsToChange: {
              type: 'array',
              maxItems: MAX_FILTER_ENTRIES,
              items: object(
                {
                  ...LABEL_KEY_PROPERTIES,
                  ...LABEL_RENAME_PROPERTIES,
                  ...LABEL_VALUE_PROPERTIES,
                  delete: bool('true (and nothing else besides the key) deletes the label'),
                },
                [],
                LABEL_KEY_CHOICE,
              ),
            },
          },
          ['labelsToChange'],
          { description: "mqfleet's per-entry form: each entry names one label like alterLabel" },
        ),
      ],
    },
    result: openObject({
      data: { type: 'array', items: ref('Label'), description: 'Each label as it was before the call' },
    }),
  },
  alterMqSession: {
    api: 'mq',
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
  },
  describeMqSessions: {
    api: 'mq',
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
  },
  listMqSessions: {
    api: 'mq',
    tokenRequired: true,
    summary: 'Lists sessions by filters, sorted, with keyset paging',
    params: object(
      {
        ...FILTER_PROPERTIES,
        sortAscending: { type: 'string', enum: SORTS, description: 'Default clientName ascending' },
        sortDescending: { type: 'string', enum: SORTS, description: 'Not with sortAscending' },
        skipRecords: int(0, 2_147_483_647, 'Offset', { default: 0 }),
        maxRecords: int(1, 10_000, 'Page size', { default: 1000 }),
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
  },
  deleteMqSession: {
    api: 'mq',
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
  },
  alterMqSessions: {
    api: 'mq',
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
  },
  subscribeToMq: {
    api: 'mq',
    tokenRequired: true,
    summary:
      "Adds and removes a session's subscriptions; a connected client gets them live, without reconnecting",
    params: object(
      {
        clientName: clientName(),
        subscriptionActions: {
          type: 'array',
          maxItems: 10_000,
          description: 'Applied in order; for the same topicFilter the last action wins',
          items: object(
            {
              subscriptionAction: { type: 'string', enum: ['add', 'remove'] },
              topicFilter: str(65535, 'MQTT topic filter; wildcards + and # allowed', 1),
              qos: int(0, 2, 'Maximum QoS of deliveries (deliveries are at most QoS 1 today)', {
                default: 2,
              }),
              subscriptionIdentifier: int(
                1,
                MAX_SUBSCRIPTION_IDENTIFIER,
                'Sent on MQTT 5 deliveries; omitted = none',
              ),
              receiveMyMessages: bool('false = MQTT 5 No Local', { default: true }),
              retainAsPublished: bool('MQTT 5 Retain As Published', { default: false }),
              receiveRetainedMessages: {
                type: 'string',
                enum: ['onSubscription', 'onNewSubscription', 'never'],
                default: 'onSubscription',
                description: 'MQTT 5 Retain Handling 0, 1, 2',
              },
              includeExpiredMessages: ignored('Boolean'),
              userProperties: ignored('User properties'),
            },
            ['subscriptionAction', 'topicFilter'],
          ),
        },
      },
      ['clientName', 'subscriptionActions'],
    ),
    result: {
      allOf: [ref('MqSession')],
      properties: {
        liveApplied: {
          type: 'boolean',
          description:
            'true once the gateway holding the connection confirmed the subscriptions are in force (waits up to MQFLEET_APPLY_TIMEOUT_MS)',
        },
      },
    },
  },
  getMqSessionAudit: {
    api: 'mq',
    tokenRequired: true,
    summary: "A session's audit trail in version order",
    params: object(
      {
        clientName: clientName(),
        afterVersion: int(0, Number.MAX_SAFE_INTEGER, 'Entries after this version', { default: 0 }),
        maxRecords: int(1, 1000, 'Entries at most', { default: 100 }),
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
  },
};

// ---------------------------------------------------------------------------------------------
// Errors

/** What each errorCode means (docs/errors.md); every code of core's ERROR_KINDS is here. */
export const ERROR_CODES: Record<number, string> = {
  0: 'success',
  100: 'NOT_FOUND: no session with that clientName, no account with that username, no such label',
  12008: 'UNKNOWN_ACTION: action not known for that api',
  12009: 'INTERNAL: anything unexpected; the details go to the server log',
  12012:
    'INVALID_VALUE: wrong type, out of range, unknown enum value or property, conflict; also VERSION_CONFLICT: a stale expectedVersion',
  12013: 'UNKNOWN_API: api not known (or db, hub, transform: not served by mqfleet)',
  12014: 'TIMEOUT: the call ran past its deadline',
  12015:
    "LIMIT_EXCEEDED: a bound of the session would be exceeded (subscribeToMq beyond the session's subscriptions)",
  12019: 'UNAVAILABLE: the session-service cannot be reached',
  12020: 'ALREADY_EXISTS: creating something that exists',
  12026: 'IN_USE: deleting a label that sessions still carry',
  12025: 'MISSING_PROPERTY: a required property is missing',
  12030: 'ADMIN_REQUIRED: an administrator action by an ordinary account',
  12031: 'BAD_TOKEN: missing, unknown or expired authToken',
  12033: 'BAD_PASSWORD: createSession with a wrong username or password',
  12034:
    'TOO_LARGE: a string or JSON value over its byte limit (or a body over 4 MiB: HTTP 413); a will topic or topic filter the message bus cannot carry',
  [-1038]: 'NOT_JSON: the request body is not JSON (HTTP 400)',
  [-1039]: 'NOT_OBJECT: the request body is JSON but not an object (HTTP 200)',
};

const errorCodeSchema = (): Schema => {
  const codes = Object.keys(ERROR_CODES)
    .map(Number)
    .sort((a, b) => a - b);
  const byName = Object.entries(ERROR_KINDS).map(([name, kind]) => `${name}=${kind.jsonCode}`);
  return {
    type: 'integer',
    enum: codes,
    description: [
      '0 = success; otherwise the failure (see docs/errors.md). Core names: ' + byName.join(', ') + '.',
      '',
      '| errorCode | meaning |',
      '| --- | --- |',
      ...codes.map((c) => `| ${c} | ${ERROR_CODES[c]} |`),
    ].join('\n'),
  };
};

// ---------------------------------------------------------------------------------------------
// Examples

const EXAMPLE_TOKEN = 'replaceWithAuthTokenFromCreateSession';

/** Example requests; test/openapi.test.ts sends each through the gateway's own validation. */
export const EXAMPLE_REQUESTS: Record<string, { summary: string; value: Record<string, unknown> }> = {
  createSession: {
    summary: 'createSession: log in',
    value: {
      api: 'admin',
      action: 'createSession',
      params: {
        username: 'ADMIN',
        password: 'ADMIN',
        description: 'fleet dashboard',
        idleConnectionTimeoutSeconds: 3600,
      },
      requestId: '00000001',
    },
  },
  alterMqSession: {
    summary: 'alterMqSession: every property (FairCom\'s "Maximal" example with real values)',
    value: {
      api: 'mq',
      action: 'alterMqSession',
      params: {
        clientName: 'a unique client identifier for MQTT or MQ API',
        temporarySession: false,
        sessionStatus: 'normal',
        keepAliveSeconds: 60,
        userProperties: [{ key: 'some key', value: 'some value' }],
        mqttPayloadType: 'utf8',
        sessionExpiryInterval: 60,
        receiveMaximum: 1024,
        maximumPacketSize: 1024,
        topicAliasMaximum: 0,
        requestProblemInformation: true,
        requestResponseInformation: false,
        willTopic: 'some/Topic/Name/',
        willQoS: 2,
        willPayload: 'This message is sent when client disconnects.',
        willRetain: true,
        willContentType: 'text/plain',
        willCorrelationData: 'any JSON value up to 65500 bytes',
        willPayloadFormatIndicator: 'utf8',
        willExpirySeconds: 60,
        willDelaySeconds: 60,
        willResponseTopic: 'topic/name/for/subscriber/to/respond/to',
        willUserProperties: [{ key: 'some key', value: 'some value' }],
        label: { group: 'group name', name: 'label name' },
        minHealthySendRatePerMinute: 10,
        maxHealthySendRatePerMinute: 1000,
        maxHealthyBacklogRatePerMinute: 10,
        minHealthySubscribedTopicFiltersCount: 10,
        maxHealthySubscribedTopicFiltersCount: 1000,
        metadata: {},
      },
      apiVersion: '1.0',
      debug: 'max',
      requestId: 'optionalUniqueRequestIdFromTheClient',
      authToken: EXAMPLE_TOKEN,
    },
  },
  listMqSessions: {
    summary: 'listMqSessions: connected sessions with a label, newest connection first',
    value: {
      api: 'mq',
      action: 'listMqSessions',
      params: {
        partialClientName: 'sensor-',
        connectionStatusFilter: ['connected'],
        sessionStatusFilter: ['normal', 'hidden'],
        label: { group: 'site/', name: 'berlin' },
        sortDescending: 'lastConnect',
        maxRecords: 100,
      },
      requestId: 3,
      authToken: EXAMPLE_TOKEN,
    },
  },
};

const EXAMPLE_RESPONSES: Record<string, { summary: string; value: Record<string, unknown> }> = {
  createSession: {
    summary: 'createSession',
    value: {
      result: {
        authToken: 'BAz72agLF4M1s8acj6kyO5fNt9QhhxnbbPT33fGPZ1E',
        username: 'ADMIN',
        role: 'admin',
        description: 'fleet dashboard',
        idleConnectionTimeoutSeconds: 3600,
        idleCursorTimeoutSeconds: 600,
        permanentSession: false,
        sessionStartTimestamp: '2025-09-17T16:24:41',
        sessionLastAccessedTimestamp: '2025-09-17T16:24:41',
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
      errorCode: 0,
      errorMessage: '',
      requestId: '00000001',
      authToken: 'BAz72agLF4M1s8acj6kyO5fNt9QhhxnbbPT33fGPZ1E',
    },
  },
  listMqSessions: {
    summary: 'listMqSessions',
    value: {
      result: {
        data: [
          {
            clientName: 'sensor-0042',
            sessionType: 'mqtt',
            sessionStatus: 'normal',
            connectionStatus: 'connected',
          },
        ],
        nextCursor: null,
      },
      errorCode: 0,
      errorMessage: '',
      requestId: 3,
      authToken: EXAMPLE_TOKEN,
    },
  },
  error: {
    summary: 'A refused parameter',
    value: {
      result: {},
      errorCode: 12012,
      errorMessage: '"keepAliveSeconds" must be an integer from 0 to 65535; got 70000',
      requestId: null,
      authToken: EXAMPLE_TOKEN,
    },
  },
};

// ---------------------------------------------------------------------------------------------
// The document

const actionNames = Object.keys(ACTION_DOCS);
const cap = (name: string): string => name[0]!.toUpperCase() + name.slice(1);
const requestName = (action: string): string => `${cap(action)}Request`;
const paramsName = (action: string): string => `${cap(action)}Params`;
const resultName = (action: string): string => `${cap(action)}Result`;

function actionSchemas(): Record<string, Schema> {
  const schemas: Record<string, Schema> = {};
  for (const [action, doc] of Object.entries(ACTION_DOCS)) {
    schemas[requestName(action)] = {
      title: action,
      description: `${doc.summary}. Result: ${resultName(action)}.${
        doc.tokenRequired ? ' Needs authToken (12031 without one).' : ''
      }`,
      allOf: [ref('RequestEnvelope')],
      type: 'object',
      required: doc.tokenRequired ? ['action', 'authToken'] : ['action'],
      properties: {
        api: { type: 'string', enum: [doc.api], description: 'May be omitted; case-insensitive' },
        action: { type: 'string', const: action, description: 'Case-insensitive' },
        params: ref(paramsName(action)),
      },
    };
    schemas[paramsName(action)] = { title: `${action} params`, ...doc.params };
    schemas[resultName(action)] = { title: `${action} result`, ...doc.result };
  }
  return schemas;
}

const jsonContent = (schema: Schema, extra: Schema = {}): Schema => ({
  'application/json': { schema, ...extra },
});

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'mqfleet JSON API',
    version: '1.0.0',
    description: [
      'FairCom-style JSON actions at one endpoint, `POST /api`, dispatched on `action`.',
      'Every request whose body is a JSON object gets HTTP 200; the outcome is in `errorCode` (0 = success).',
      'The body is read as JSON whatever the Content-Type says. See docs/json-api.md and',
      'services/api-gateway/README.md for the rules behind each action.',
    ].join(' '),
    license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
  },
  tags: [
    { name: 'json-api', description: 'The FairCom-style JSON API' },
    { name: 'health', description: 'Probes' },
  ],
  paths: {
    '/api': {
      post: {
        operationId: 'jsonAction',
        tags: ['json-api'],
        summary: 'Run one JSON action',
        description: [
          'The request schema is chosen by `action` (case-insensitive; `api` may be omitted).',
          'Actions:',
          '',
          ...actionNames.map(
            (a) => `- \`${a}\` (api \`${ACTION_DOCS[a]!.api}\`): ${ACTION_DOCS[a]!.summary}`,
          ),
          '',
          'Other methods on /api answer HTTP 405 with errorCode 12012.',
        ].join('\n'),
        requestBody: {
          required: true,
          content: jsonContent(
            {
              oneOf: actionNames.map((a) => ref(requestName(a))),
              discriminator: {
                propertyName: 'action',
                mapping: Object.fromEntries(
                  actionNames.map((a) => [a, `#/components/schemas/${requestName(a)}`]),
                ),
              },
            },
            { examples: EXAMPLE_REQUESTS },
          ),
        },
        responses: {
          '200': {
            description:
              'The action ran or failed; errorCode says which (also -1039 for a body that is JSON but not an object)',
            content: jsonContent(ref('ApiResponse'), { examples: EXAMPLE_RESPONSES }),
          },
          '400': {
            description: 'The body is not JSON (or not UTF-8, or empty): errorCode -1038',
            content: jsonContent(ref('ApiResponse')),
          },
          '413': {
            description: 'The body is over 4 MiB: errorCode 12034',
            content: jsonContent(ref('ApiResponse')),
          },
          '500': {
            description: 'Unexpected failure: errorCode 12009',
            content: jsonContent(ref('ApiResponse')),
          },
        },
      },
    },
    '/health/live': {
      get: {
        operationId: 'healthLive',
        tags: ['health'],
        summary: 'Liveness: the process answers',
        responses: {
          '200': {
            description: 'Live',
            content: jsonContent(object({ status: { type: 'string', const: 'live' } }, ['status'])),
          },
        },
      },
    },
    '/health/ready': {
      get: {
        operationId: 'healthReady',
        tags: ['health'],
        summary:
          'Readiness: the session-service is SERVING and lists at least MQFLEET_GATEWAYS connection-gateways',
        responses: {
          '200': {
            description: 'Ready',
            content: jsonContent(object({ status: { type: 'string', const: 'ready' } }, ['status'])),
          },
          '503': {
            description: 'Not ready, with what is missing',
            content: jsonContent(
              object(
                {
                  status: { type: 'string', const: 'not ready' },
                  missing: { type: 'array', items: { type: 'string' } },
                },
                ['status', 'missing'],
              ),
            ),
          },
        },
      },
    },
  },
  components: {
    schemas: {
      RequestEnvelope: {
        type: 'object',
        description:
          'Properties common to every request; null counts as omitted and unknown top-level properties are ignored',
        required: ['action'],
        properties: {
          api: {
            type: ['string', 'null'],
            maxLength: 256,
            description: "admin or mq (case-insensitive); omitted = the action's own api",
          },
          action: {
            type: 'string',
            minLength: 1,
            maxLength: 256,
            description: 'The action (case-insensitive)',
          },
          params: { type: ['object', 'null'], description: "The action's parameters" },
          requestId: { description: 'Any JSON value, echoed unchanged in the response' },
          authToken: {
            type: ['string', 'null'],
            maxLength: 255,
            description: 'From createSession; needed by every action but createSession and pingSession',
          },
          apiVersion: { type: ['string', 'null'], maxLength: 20 },
          debug: {
            type: ['string', 'null'],
            enum: ['none', 'min', 'max', 'maxOnError', null],
            default: 'none',
            description: 'max: debugInfo always; min, maxOnError: debugInfo on errors only',
          },
          responseOptions: {
            type: ['object', 'null'],
            properties: {
              omit: {
                type: 'array',
                items: { type: 'string' },
                description: 'Top-level response properties to leave out',
              },
              numberFormat: {
                type: 'string',
                enum: ['number', 'string'],
                default: 'number',
                description: 'string: every number in result becomes a string',
              },
              binaryFormat: {
                type: 'string',
                enum: BINARY_FORMATS,
                default: 'hex',
                description: 'How binary values (not valid UTF-8) are rendered',
              },
            },
          },
        },
      },
      ApiResponse: {
        type: 'object',
        description: 'Every property is present unless responseOptions.omit names it',
        properties: {
          result: {
            description: "The action's result ({} on failure): one of the *Result schemas",
            anyOf: actionNames.map((a) => ref(resultName(a))),
          },
          errorCode: ref('ErrorCode'),
          errorMessage: {
            type: 'string',
            maxLength: 256,
            description: '"" on success; names the property and the limit',
          },
          requestId: { description: "The request's requestId, null when it had none" },
          authToken: {
            type: 'string',
            description: 'The request\'s authToken ("" when none); createSession returns the new one',
          },
          debugInfo: ref('DebugInfo'),
        },
      },
      ErrorCode: errorCodeSchema(),
      DebugInfo: {
        type: 'object',
        description: 'With debug max always, with min or maxOnError on errors only',
        properties: {
          request: { description: 'The request as received, params.password masked' },
          serverSuppliedValues: {
            type: 'object',
            description: 'Defaults the server chose, e.g. api when omitted',
          },
          errorData: {
            type: 'object',
            properties: { property: { type: 'string', description: 'The offending property' } },
          },
          warnings: { type: 'array', items: ref('Warning') },
        },
      },
      Warning: {
        type: 'object',
        properties: {
          warningCode: {
            type: 'integer',
            description:
              '12006: a documented parameter accepted but ignored; 12031: deleteSession of an unknown token',
          },
          warningMessage: { type: 'string' },
          code: { type: 'integer', description: 'deleteSession only: the same code (reference shape)' },
          message: { type: 'string', description: 'deleteSession only: the same text' },
        },
        required: ['warningCode', 'warningMessage'],
      },
      ...RESULT_SCHEMAS,
      ...actionSchemas(),
    },
  },
};

/** GET /openapi.json (the document) and GET /docs (Swagger UI, assets served from the package). */
export function registerOpenApi(app: FastifyInstance): void {
  void app.register(swagger, { mode: 'static', specification: { document: OPENAPI_DOCUMENT as never } });
  void app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
  app.get('/openapi.json', async () => app.swagger());
}
