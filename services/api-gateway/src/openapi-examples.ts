// The example requests and responses of the OpenAPI document (openapi.ts): the requests are sent
// through the gateway's own checks in test/openapi.test.ts.
import { TOKEN_SESSION_DEFAULTS } from './actions/admin';

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
  createMqApiSession: {
    summary: 'createMqApiSession: a permanent MQ API session with a keep alive and user properties',
    value: {
      api: 'mq',
      action: 'createMqApiSession',
      params: {
        clientName: 'dashboard-feed',
        keepAliveSeconds: 120,
        userProperties: [{ key: 'app', value: 'dashboard' }],
      },
      requestId: 2,
      authToken: EXAMPLE_TOKEN,
    },
  },
  publishMessagesToMq: {
    summary: 'publishMessagesToMq: a JSON message at QoS 1 with properties',
    value: {
      api: 'mq',
      action: 'publishMessagesToMq',
      params: {
        clientName: 'dashboard-feed',
        topic: 'fleet/commands/reboot',
        messages: [
          {
            payload: { delaySeconds: 30 },
            qos: 1,
            contentType: 'application/json',
            userProperties: [{ key: 'requested-by', value: 'ops' }],
          },
        ],
      },
      requestId: 4,
      authToken: EXAMPLE_TOKEN,
    },
  },
  getMessagesFromMqApiSession: {
    summary: 'getMessagesFromMqApiSession: the next 10 messages kept for the session, JSON payloads parsed',
    value: {
      api: 'mq',
      action: 'getMessagesFromMqApiSession',
      params: { clientName: 'dashboard-feed', maxMessages: 10, binaryFormat: 'json' },
      requestId: 5,
      authToken: EXAMPLE_TOKEN,
    },
  },
  getMessagesFromMqTopic: {
    summary: "getMessagesFromMqTopic: a stored topic's 2 newest messages",
    value: {
      api: 'mq',
      action: 'getMessagesFromMqTopic',
      params: { topic: 'alarms/line-4', startFrom: ['tail'], maxMessages: 2 },
      requestId: 6,
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
  listTopics: {
    summary: 'listTopics: the second page of 20 topics under plant/',
    value: {
      api: 'mq',
      action: 'listTopics',
      params: { partialName: 'plant/', skipRecords: 20, maxRecords: 20 },
      requestId: 5,
      authToken: EXAMPLE_TOKEN,
    },
  },
  describeTopics: {
    summary: 'describeTopics: counts and subscribers of two topics',
    value: {
      api: 'mq',
      action: 'describeTopics',
      params: { topics: ['plant/a/temp', 'plant/b/temp'] },
      requestId: 6,
      authToken: EXAMPLE_TOKEN,
    },
  },
};

export const EXAMPLE_RESPONSES: Record<string, { summary: string; value: Record<string, unknown> }> = {
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
        ...TOKEN_SESSION_DEFAULTS,
      },
      errorCode: 0,
      errorMessage: '',
      requestId: '00000001',
      authToken: 'BAz72agLF4M1s8acj6kyO5fNt9QhhxnbbPT33fGPZ1E',
    },
  },
  createMqApiSession: {
    summary: 'createMqApiSession (the session, shortened)',
    value: {
      result: {
        clientName: 'dashboard-feed',
        sessionType: 'mqApi',
        owner: 'ADMIN',
        sessionStatus: 'normal',
        temporarySession: false,
        connectionStatus: 'disconnected',
        keepAliveSeconds: 120,
        sessionExpiryInterval: 4294967295,
        userProperties: [{ key: 'app', value: 'dashboard' }],
        version: '1',
      },
      errorCode: 0,
      errorMessage: '',
      requestId: 2,
      authToken: EXAMPLE_TOKEN,
    },
  },
  publishMessagesToMq: {
    summary: 'publishMessagesToMq',
    value: {
      result: {
        clientName: 'dashboard-feed',
        topic: 'fleet/commands/reboot',
        messages: [{ reasonCode: 0 }],
        published: 1,
      },
      errorCode: 0,
      errorMessage: '',
      requestId: 4,
      authToken: EXAMPLE_TOKEN,
    },
  },
  getMessagesFromMqApiSession: {
    summary: 'getMessagesFromMqApiSession',
    value: {
      result: {
        clientName: 'dashboard-feed',
        data: [
          {
            topic: 'fleet/telemetry/sensor-0042',
            payload: { temperature: 21.5 },
            binaryFormat: 'json',
            mqttPayloadType: 'utf8',
            qos: 1,
            retain: false,
            userProperties: [{ key: 'site', value: 'berlin' }],
            subscriptionIdentifiers: [7],
            receivedAt: '2026-12-03T13:02:11.518Z',
            sequence: 1042,
            contentType: 'application/json',
            expirySeconds: 3540,
          },
        ],
        messageCount: 1,
        remainingMessages: 0,
      },
      errorCode: 0,
      errorMessage: '',
      requestId: 5,
      authToken: EXAMPLE_TOKEN,
    },
  },
  getMessagesFromMqTopic: {
    summary: 'getMessagesFromMqTopic',
    value: {
      result: {
        topic: 'alarms/line-4',
        data: [
          {
            topic: 'alarms/line-4',
            payload: 'overheat',
            binaryFormat: 'utf8',
            mqttPayloadType: 'binary',
            qos: 1,
            retain: false,
            userProperties: [],
            receivedAt: '2026-12-03T13:40:02.114Z',
            sequence: 5120,
          },
          {
            topic: 'alarms/line-4',
            payload: 'cleared',
            binaryFormat: 'utf8',
            mqttPayloadType: 'binary',
            qos: 1,
            retain: false,
            userProperties: [],
            receivedAt: '2026-12-03T13:41:17.902Z',
            sequence: 5187,
          },
        ],
        messageCount: 2,
        keptMessages: 41,
        stored: true,
      },
      errorCode: 0,
      errorMessage: '',
      requestId: 6,
      authToken: EXAMPLE_TOKEN,
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
  listTopics: {
    summary: 'listTopics',
    value: {
      result: { data: ['plant/a/humidity', 'plant/a/temp'] },
      errorCode: 0,
      errorMessage: '',
      requestId: 5,
      authToken: EXAMPLE_TOKEN,
    },
  },
  describeTopics: {
    summary: 'describeTopics (one topic; plant/b/temp was never published to and is left out)',
    value: {
      result: {
        data: [
          {
            name: 'plant/a/temp',
            creationTime: '2026-12-03T09:00:00',
            messageCount: 1440,
            lastMessageTime: '2026-12-03T11:59:58',
            averageMessagesPerMinute: 8,
            averageMessagesPerHour: 480,
            averageMessagesPerDay: 1440,
            subscriberList: [
              {
                topicExpression: 'plant/+/temp',
                connectionList: [
                  {
                    connection: {
                      clientId: 'dashboard-1',
                      ipaddress: '10.1.2.3',
                      port: 50412,
                      mqttProtocol: 5,
                      keepAliveSeconds: 60,
                      status: 'Connected with clean flag = 1',
                      connectionTime: '2026-12-03T08:55:10',
                    },
                    qos: 1,
                  },
                ],
              },
            ],
            subscriberCount: 1,
          },
        ],
      },
      errorCode: 0,
      errorMessage: '',
      requestId: 6,
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
