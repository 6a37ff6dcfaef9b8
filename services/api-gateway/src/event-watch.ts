// watchMqSessionEvents on the WebSocket /ws (docs/json-api.md, "WebSocket"): an administrator's
// live feed of session events in brief, for the dashboard's session table (connects, disconnects,
// health, alterations, deletions) without polling. It exists on the WebSocket only: the answer is
// a stream of frames. The session-service streams the notices (WatchSessionEvents, admin only);
// the token is checked again every TOKEN_RECHECK_MS, so a feed ends when its token expires or its
// account loses the admin role.
import type { ClientReadableStream } from '@grpc/grpc-js';
import { ERROR_KINDS, statusName } from '@mqfleet/core';
import type { ListGatewaysResponse__Output, SessionEventNotice__Output } from '@mqfleet/proto';
import { unary, type Backend } from './backend';
import { BAD_TOKEN_MESSAGE, toFailure } from './errors';
import { connectionStatusName, jsonFieldNames } from './render';

export const WATCH_ACTION = 'watchMqSessionEvents';
const TOKEN_RECHECK_MS = 30_000;

/** One notice as the feed shows it: the JSON API's names for statuses and fields. */
export function renderNotice(n: SessionEventNotice__Output): Record<string, unknown> {
  const event: Record<string, unknown> = { type: n.type, at: n.at, actor: n.actor };
  if (n.type === 'bulkAltered') {
    event.clientNames = n.clientNames;
    return event;
  }
  event.clientName = n.clientName;
  event.version = n.version;
  if (n.connectionStatus !== undefined && n.connectionStatus !== null) {
    event.connectionStatus = connectionStatusName(n.connectionStatus);
  }
  if (n.sessionStatus !== undefined && n.sessionStatus !== null) {
    event.sessionStatus = statusName(n.sessionStatus);
  }
  if (n.health !== undefined && n.health !== null) event.sessionHealth = n.health;
  event.changedFields = jsonFieldNames(n.changedFields);
  return event;
}

/** A running feed; stop() ends it (the socket closed, or a new watch replaced it). */
export interface Watch {
  stop(): void;
}

/**
 * Starts a feed for the holder of `token`: answers the request (or its refusal) with `reply`,
 * then sends each batch of events with `send` until stopped or refused.
 */
export async function startWatch(
  backend: Backend,
  token: string,
  requestId: unknown,
  reply: (response: Record<string, unknown>) => void,
  send: (frame: Record<string, unknown>) => void,
): Promise<Watch | undefined> {
  const refuse = ({ errorCode, errorMessage }: { errorCode: number; errorMessage: string }): void =>
    reply({ result: {}, errorCode, errorMessage, requestId, authToken: token });
  if (token === '') {
    refuse({ errorCode: ERROR_KINDS.BAD_TOKEN.jsonCode, errorMessage: BAD_TOKEN_MESSAGE });
    return undefined;
  }
  // ListGateways with a bearer token is an administrators' call: the same check the stream makes.
  const check = (): Promise<ListGatewaysResponse__Output> =>
    unary<ListGatewaysResponse__Output>((cb) =>
      backend.session.listGateways({}, backend.bearer(token), backend.options(), cb),
    );
  try {
    await check();
  } catch (err) {
    refuse(toFailure(err));
    return undefined;
  }
  const stream: ClientReadableStream<SessionEventNotice__Output> = backend.session.watchSessionEvents(
    {},
    backend.bearer(token),
  );
  let stopped = false;
  let batch: Record<string, unknown>[] = [];
  let flushing = false;
  const flush = (): void => {
    flushing = false;
    if (batch.length === 0 || stopped) return;
    send({ push: WATCH_ACTION, requestId, result: { events: batch } });
    batch = [];
  };
  const fail = ({ errorCode, errorMessage }: { errorCode: number; errorMessage: string }): void => {
    if (stopped) return;
    flush();
    watch.stop();
    send({ push: WATCH_ACTION, requestId, errorCode, errorMessage });
  };
  stream.on('data', (notice: SessionEventNotice__Output) => {
    batch.push(renderNotice(notice));
    // Events that arrive together (a connect storm) go in one frame.
    if (!flushing) {
      flushing = true;
      setImmediate(flush);
    }
  });
  stream.on('error', (err: Error) => fail(toFailure(err)));
  const recheck = setInterval(() => {
    check().catch((err: unknown) => fail(toFailure(err)));
  }, TOKEN_RECHECK_MS);
  recheck.unref();
  const watch: Watch = {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(recheck);
      stream.cancel();
    },
  };
  reply({ result: { watching: true }, errorCode: 0, errorMessage: '', requestId, authToken: token });
  return watch;
}
