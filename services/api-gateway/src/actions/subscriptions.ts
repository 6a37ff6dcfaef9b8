// api "mq": subscribeToMq, an administrator's subscriptions on behalf of a session (docs/json-api.md).
import {
  invalidValue,
  missingProperty,
  parseClientName,
  tooLarge,
  topicFilterProblem,
  MAX_MQTT_STRING_BYTES,
  MAX_SUBSCRIPTION_IDENTIFIER,
} from '@mqfleet/core';
import type { ChangeSubscriptionsResponse__Output, Subscription } from '@mqfleet/proto';
import { unary } from '../backend';
import { RECEIVE_RETAINED, renderSession } from '../render';
import { optionalBoolean, optionalInteger } from './params';
import type { ActionContext, ActionDef } from './types';
import { bool, clientName, ignored, int, object, ref, str } from '../schemas';

/** subscribeToMq accepts at most this many subscriptionActions per call. */
export const MAX_SUBSCRIPTION_ACTIONS = 10_000;
/** QoS of a subscription added without "qos": the message's own QoS is kept (documented). */
export const DEFAULT_SUBSCRIPTION_QOS = 2;
const SUBSCRIPTION_ACTION_PARAMS = [
  'subscriptionAction',
  'topicFilter',
  'qos',
  'subscriptionIdentifier',
  'receiveMyMessages',
  'receiveRetainedMessages',
  'retainAsPublished',
];
const SUBSCRIPTION_ACTION_IGNORED = ['includeExpiredMessages', 'userProperties'];

/** One subscriptionActions[] entry → an add (Subscription) or a remove (topic filter). */
function parseSubscriptionAction(
  raw: unknown,
  at: string,
  warnings: ActionContext['warnings'],
): { action: 'add' | 'remove'; topicFilter: string; subscription?: Subscription } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalidValue(at, 'an object {subscriptionAction, topicFilter, ...}', raw);
  }
  const entry = raw as Record<string, unknown>;
  for (const key of Object.keys(entry)) {
    if (SUBSCRIPTION_ACTION_IGNORED.includes(key)) {
      warnings.push({
        warningCode: 12006,
        warningMessage: `"${at}.${key}" is not supported yet and was ignored`,
      });
    } else if (!SUBSCRIPTION_ACTION_PARAMS.includes(key)) {
      throw invalidValue(`${at}.${key}`, 'a property subscribeToMq knows (see docs/json-api.md)');
    }
  }
  const action = entry.subscriptionAction;
  if (action === undefined || action === null) throw missingProperty(`${at}.subscriptionAction`);
  if (action !== 'add' && action !== 'remove') {
    throw invalidValue(`${at}.subscriptionAction`, '"add" or "remove"', action);
  }
  const topicFilter = entry.topicFilter;
  if (topicFilter === undefined || topicFilter === null || topicFilter === '') {
    throw missingProperty(`${at}.topicFilter`);
  }
  if (typeof topicFilter !== 'string') throw invalidValue(`${at}.topicFilter`, 'a string', topicFilter);
  if (Buffer.byteLength(topicFilter, 'utf8') > MAX_MQTT_STRING_BYTES) {
    throw tooLarge(`${at}.topicFilter`, `${MAX_MQTT_STRING_BYTES} bytes`);
  }
  const problem = topicFilterProblem(topicFilter);
  if (problem) throw invalidValue(`${at}.topicFilter`, `a valid MQTT topic filter (${problem})`);
  const qos = optionalInteger(entry, 'qos', 0, 2);
  const identifier = optionalInteger(entry, 'subscriptionIdentifier', 1, MAX_SUBSCRIPTION_IDENTIFIER);
  const receiveMyMessages = optionalBoolean(entry, 'receiveMyMessages');
  const retainAsPublished = optionalBoolean(entry, 'retainAsPublished');
  const retained = entry.receiveRetainedMessages;
  let retainHandling = 0;
  if (retained !== undefined && retained !== null) {
    retainHandling = RECEIVE_RETAINED.indexOf(retained as (typeof RECEIVE_RETAINED)[number]);
    if (retainHandling < 0) {
      throw invalidValue(
        `${at}.receiveRetainedMessages`,
        RECEIVE_RETAINED.map((r) => `"${r}"`).join(', '),
        retained,
      );
    }
  }
  if (action === 'remove') return { action, topicFilter };
  return {
    action,
    topicFilter,
    subscription: {
      topicFilter,
      qos: qos ?? DEFAULT_SUBSCRIPTION_QOS,
      noLocal: receiveMyMessages === false,
      retainAsPublished: retainAsPublished ?? false,
      retainHandling,
      subscriptionIdentifier: identifier ?? 0,
    },
  };
}

export const subscribeToMq: ActionDef = {
  api: 'mq',
  name: 'subscribeToMq',
  tokenRequired: true,
  summary:
    "Adds and removes a session's subscriptions; a connected client gets them live, without reconnecting",
  params: object(
    {
      clientName: clientName(),
      subscriptionActions: {
        type: 'array',
        maxItems: MAX_SUBSCRIPTION_ACTIONS,
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
  async run({ params, authToken, backend, options, warnings }) {
    const clientName = parseClientName(params.clientName);
    const raw = params.subscriptionActions;
    if (raw === undefined || raw === null) throw missingProperty('subscriptionActions');
    if (!Array.isArray(raw)) throw invalidValue('subscriptionActions', 'an array of objects', raw);
    if (raw.length > MAX_SUBSCRIPTION_ACTIONS) {
      throw tooLarge('subscriptionActions', `${MAX_SUBSCRIPTION_ACTIONS} entries`);
    }
    // In order: a later action on the same topic filter wins.
    const last = new Map<string, ReturnType<typeof parseSubscriptionAction>>();
    raw.forEach((entry, i) => {
      const parsed = parseSubscriptionAction(entry, `subscriptionActions[${i}]`, warnings);
      last.delete(parsed.topicFilter);
      last.set(parsed.topicFilter, parsed);
    });
    const add: Subscription[] = [];
    const remove: string[] = [];
    for (const parsed of last.values()) {
      if (parsed.subscription) add.push(parsed.subscription);
      else remove.push(parsed.topicFilter);
    }
    const res = await unary<ChangeSubscriptionsResponse__Output>((cb) =>
      backend.session.changeSubscriptions(
        { clientName, add, remove },
        backend.bearer(authToken),
        backend.options(),
        cb,
      ),
    );
    if (!res.session) throw new Error('ChangeSubscriptions answered without a session');
    return { result: { ...renderSession(res.session, options, true), liveApplied: res.liveApplied } };
  },
};
