// The OpenAPI 3.1 document of the api-gateway (POST /api with one request schema per action,
// GET /health/*), served at GET /openapi.json with a Swagger UI at GET /docs. Assembled from
// what each action declares (src/actions: summary, params, result; the session settings from
// core's field table), plus the envelope, the result components and the error codes here.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { ERROR_KINDS, publicSchema, SESSION_TYPES, settingsResultSchemas } from '@mqfleet/core';
import { listActions } from './actions';
import { BINARY_FORMATS } from './envelope';
import { EXAMPLE_REQUESTS, EXAMPLE_RESPONSES } from './openapi-examples';

export { EXAMPLE_REQUESTS } from './openapi-examples';
import {
  defaultResponseOptions,
  nullableString,
  object,
  openObject,
  ref,
  timestamp,
  type Schema,
} from './schemas';

// ---------------------------------------------------------------------------------------------
// Result schemas

const RESULT_SCHEMAS: Record<string, Schema> = {
  MqSession: openObject(
    {
      clientName: { type: 'string' },
      sessionType: {
        type: 'string',
        enum: [...SESSION_TYPES],
        description: 'mqtt: made by an MQTT CONNECT; mqApi: made by createMqApiSession',
      },
      owner: nullableString('The account that created an MQ API session; null for MQTT sessions'),
      username: nullableString('Account of the last connection'),
      ipaddress: nullableString('Address of the last connection'),
      port: { type: ['integer', 'null'] },
      mqttProtocol: nullableString('"3.1.1" or "5.0"'),
      connectionStatus: {
        type: 'string',
        enum: ['connected', 'connectedTemporarily', 'disconnected'],
        description: 'connectedTemporarily: an MQ API session that published within 1.5 × its keep alive',
      },
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

/** Every action's documentation, as the actions declare it (src/actions). */
export const ACTION_DOCS: Record<string, ActionDoc> = Object.fromEntries(
  listActions().map((a) => [
    a.name,
    { api: a.api, tokenRequired: a.tokenRequired, summary: a.summary, params: a.params, result: a.result },
  ]),
);

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
  12040: 'SESSION_BANNED: an action of a banned session (publishMessagesToMq)',
  12041:
    "RULES_REFUSE: the authorization rules of the session's user refuse a subscribeToMq topic filter or an alterMqSession will topic",
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
    // Without the annotations only the gateway's own checks read (core json-schema.ts).
    schemas[paramsName(action)] = { title: `${action} params`, ...(publicSchema(doc.params) as Schema) };
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
