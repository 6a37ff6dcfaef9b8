// api "mq": createMqApiSession (docs/json-api.md): a session for a program or browser that uses the
// JSON API instead of MQTT. It shares the client-name space with MQTT sessions (a taken name →
// 12020) and takes every property alterMqSession takes.
import { MAX_CLIENT_NAME_BYTES, parseSettingsParams } from '@mqfleet/core';
import type { CreateMqApiSessionResponse__Output } from '@mqfleet/proto';
import { unary } from '../backend';
import { renderSession } from '../render';
import { object, ref, SETTINGS_PROPERTIES, str } from '../schemas';
import type { ActionDef } from './types';

const createMqApiSession: ActionDef = {
  api: 'mq',
  name: 'createMqApiSession',
  tokenRequired: true,
  summary:
    'Creates an MQ API session (permanent unless temporarySession is true) owned by the calling account; a name any session holds → 12020',
  params: object({
    clientName: {
      ...str(
        MAX_CLIENT_NAME_BYTES,
        'The new session\'s name; "", null or omitted: a unique name is generated',
      ),
      type: ['string', 'null'],
    },
    ...SETTINGS_PROPERTIES,
  }),
  result: ref('MqSession'),
  async run({ params, authToken, backend, options }) {
    const { clientName, ...settings } = params;
    const patch = parseSettingsParams(settings, 'createMqApiSession');
    const created = await unary<CreateMqApiSessionResponse__Output>((cb) =>
      backend.session.createMqApiSession(
        { clientName: typeof clientName === 'string' ? clientName : '', patch },
        backend.bearer(authToken),
        backend.options(),
        cb,
      ),
    );
    if (!created.session) throw new Error('CreateMqApiSession answered without a session');
    return { result: renderSession(created.session, options) };
  },
};

export const MQ_API_ACTIONS: ActionDef[] = [createMqApiSession];
