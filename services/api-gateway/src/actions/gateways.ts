// listGateways (our extension): the connection-gateways the session-service judges alive (their
// heartbeats, services/session-service/src/gateways.ts), for administrators: the mqfleet CLI
// (`mqfleet gateways`, docs/cli.md) and the dashboard's overview (packages/dashboard) show it. The
// session-service checks the admin role (ListGateways).
// describeAlterationPropagation (our extension): how long administrators' alterations took to be
// in force on the live connections, fleet-wide, over a recent window (the gateways measure it
// and report it in their heartbeats: packages/core/src/propagation.ts); the dashboard's overview
// plots it. The session-service checks the admin role (DescribeAlterationPropagation).
import type {
  DescribeAlterationPropagationResponse__Output,
  ListGatewaysResponse__Output,
} from '@mqfleet/proto';
import { unary } from '../backend';
import { apiTimestamp } from '../render';
import { int, object, openObject, timestamp, type Schema } from '../schemas';
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

const ms = (description: string): Schema => ({
  type: ['number', 'null'],
  minimum: 0,
  description: `${description}; null when count is 0`,
});

const describeAlterationPropagation: ActionDef = {
  api: 'mq',
  name: 'describeAlterationPropagation',
  tokenRequired: true,
  summary:
    'Fleet-wide: how long alterations took to be in force on live connections over the last seconds (role admin needed)',
  params: object({
    windowSeconds: int(1, 300, 'The window, seconds back from now (default 60)', { default: 60 }),
  }),
  result: openObject({
    data: openObject({
      windowSeconds: { type: 'integer' },
      count: {
        type: 'integer',
        description:
          'Alterations (single ones, and each session of a bulk one) put in force on a live connection within the window, all gateways together',
      },
      gateways: { type: 'integer', description: 'Gateways that reported at least one of them' },
      p50Ms: ms(
        'Median, ms: from the alteration written (its event time) to its version in force on the connection',
      ),
      p90Ms: ms('90th percentile, ms'),
      p99Ms: ms('99th percentile, ms'),
      maxMs: ms('The longest, ms'),
      meanMs: ms('The mean, ms'),
    }),
  }),
  async run({ params, authToken, backend }) {
    const windowSeconds = typeof params.windowSeconds === 'number' ? params.windowSeconds : 60;
    const r = await unary<DescribeAlterationPropagationResponse__Output>((cb) =>
      backend.session.describeAlterationPropagation(
        { windowSeconds },
        backend.bearer(authToken),
        backend.options(),
        cb,
      ),
    );
    const value = (v: number | undefined): number | null =>
      v === undefined || r.count === '0' ? null : Math.round(v * 10) / 10;
    return {
      result: {
        data: {
          windowSeconds: r.windowSeconds,
          count: Number(r.count),
          gateways: r.gateways,
          p50Ms: value(r.p50Ms),
          p90Ms: value(r.p90Ms),
          p99Ms: value(r.p99Ms),
          maxMs: value(r.maxMs),
          meanMs: value(r.meanMs),
        },
      },
    };
  },
};

export const GATEWAY_ACTIONS: ActionDef[] = [listGateways, describeAlterationPropagation];
