// Every action the gateway knows, found by name (case-insensitive) with or without its api.
import { MqfleetError } from '@mqfleet/core';
import { ACCOUNT_ACTIONS } from './accounts';
import { ADMIN_ACTIONS } from './admin';
import { GATEWAY_ACTIONS } from './gateways';
import { LABEL_ACTIONS } from './labels';
import { MQ_ACTIONS } from './mq';
import { MQ_API_ACTIONS } from './mq-api';
import { TOPIC_ACTIONS } from './topics';
import type { ActionDef } from './types';

export type { ActionContext, ActionDef, ActionResult } from './types';

const ACTIONS = new Map<string, ActionDef>(
  [
    ...ADMIN_ACTIONS,
    ...ACCOUNT_ACTIONS,
    ...LABEL_ACTIONS,
    ...MQ_ACTIONS,
    ...MQ_API_ACTIONS,
    ...TOPIC_ACTIONS,
    ...GATEWAY_ACTIONS,
  ].map((a) => [a.name.toLowerCase(), a] as const),
);
/** Every registered action, in registry order (the OpenAPI document is checked against this). */
export function listActions(): ActionDef[] {
  return [...ACTIONS.values()];
}

const IMPLEMENTED_APIS = ['admin', 'mq'];
/** FairCom apis that exist but that mqfleet does not serve. */
const OTHER_APIS = ['db', 'hub', 'transform'];

export function findAction(api: string | undefined, action: string): ActionDef {
  const apiName = api?.toLowerCase();
  if (apiName !== undefined && !IMPLEMENTED_APIS.includes(apiName)) {
    const why = OTHER_APIS.includes(apiName) ? 'is not available in mqfleet' : 'does not exist';
    throw new MqfleetError('UNKNOWN_API', `api "${api}" ${why}; use "admin" or "mq"`, 'api');
  }
  const def = ACTIONS.get(action.toLowerCase());
  if (!def && action.toLowerCase() === 'watchmqsessionevents') {
    throw new MqfleetError(
      'UNKNOWN_ACTION',
      'action "watchMqSessionEvents" streams events, so it exists on the WebSocket GET /ws only',
      'action',
    );
  }
  if (!def) throw new MqfleetError('UNKNOWN_ACTION', `action "${action}" does not exist`, 'action');
  if (apiName !== undefined && def.api !== apiName) {
    throw new MqfleetError(
      'UNKNOWN_ACTION',
      `action "${def.name}" does not exist in api "${api}"; it belongs to api "${def.api}"`,
      'action',
    );
  }
  return def;
}
