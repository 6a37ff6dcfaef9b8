// listGateways (our extension): the connection-gateways the session-service judges alive (their
// heartbeats, services/session-service/src/gateways.ts), for administrators: the mqfleet CLI
// (`mqfleet gateways`, docs/cli.md) and the dashboard's overview (packages/dashboard) show it. The
// session-service checks the admin role (ListGateways).
import type { ListGatewaysResponse__Output } from '@mqfleet/proto';
import { unary } from '../backend';
import { apiTimestamp } from '../render';
import { object, openObject, timestamp } from '../schemas';
import type { ActionDef } from './types';

const listGateways: ActionDef = {
  api: 'mq',
  name: 'listGateways',
  tokenRequired: true,
  summary: 'Lists the live connection-gateways: id, address, MQTT port, connections (role admin needed)',
  params: object({}),
  result: openObject({
    data: {
      type: 'array',
      items: openObject({
        gatewayId: { type: 'string' },
        host: { type: 'string' },
        mqttPort: { type: 'integer' },
        connections: { type: 'integer' },
        lastSeenAt: timestamp('Its last heartbeat'),
      }),
    },
  }),
  async run({ authToken, backend }) {
    const listed = await unary<ListGatewaysResponse__Output>((cb) =>
      backend.session.listGateways({}, backend.bearer(authToken), backend.options(), cb),
    );
    const data = listed.gateways
      .map((g) => ({
        gatewayId: g.gatewayId,
        host: g.host,
        mqttPort: g.mqttPort,
        connections: g.connections,
        lastSeenAt: apiTimestamp(g.lastSeenAt),
      }))
      .sort((a, b) => a.gatewayId.localeCompare(b.gatewayId));
    return { result: { data } };
  },
};

export const GATEWAY_ACTIONS: ActionDef[] = [listGateways];
