// GET /ws: the JSON API over a WebSocket (docs/json-api.md, "WebSocket"). Every text or binary
// frame is one request envelope, answered by one frame with the same response envelope POST /api
// gives (requestId echoed); requests are answered in the order they arrive on the socket. One
// addition: getMessagesFromMqApiSession with "push": true answers as usual, then keeps sending the
// session's messages as they are stored, each batch as a frame {push, requestId, clientName,
// result: {clientName, data, messageCount}}, until "push": false for that session, an error (a
// frame {push, requestId, clientName, errorCode, errorMessage}) or the socket closes. Pushes use
// the session-service's Receive stream, so a message is pushed once and never also read.
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { ERROR_KINDS, type Logger } from '@mqfleet/core';
import type { StoredMessage__Output } from '@mqfleet/proto';
import type { WebSocket } from 'ws';
import { renderStoredMessage } from './actions/mq-api';
import type { Answerer } from './api';
import type { Backend } from './backend';
import { isObject, serialize } from './envelope';
import { toFailure } from './errors';
import { startWatch, WATCH_ACTION, type Watch } from './event-watch';

const PUSH_ACTION = 'getMessagesFromMqApiSession';
/** Frames up to 4 MiB, as POST /api bodies. */
const MAX_FRAME = 4 * 1024 * 1024;
/** A socket whose unsent frames pass this stops reading pushes until they drain (back pressure). */
const PUSH_HIGH_WATER = 1024 * 1024;

interface Push {
  stream: ClientReadableStream<StoredMessage__Output>;
}

export function registerWebSocket(
  app: FastifyInstance,
  backend: Backend,
  answer: Answerer,
  logger: Logger,
): void {
  void app.register(websocket, { options: { maxPayload: MAX_FRAME } });
  void app.register(async (scope) => {
    scope.get('/ws', { websocket: true }, (socket, request) =>
      serve(socket, backend, (body, requestId) => answer(body, request.ip, requestId), logger, request.id),
    );
  });
}

/** `requestId`: the upgrade request's; frame n's calls carry `<requestId>.<n>`. */
function serve(
  socket: WebSocket,
  backend: Backend,
  answer: (body: Buffer, requestId: string) => ReturnType<Answerer>,
  logger: Logger,
  requestId: string,
): void {
  let frames = 0;
  const pushes = new Map<string, Push>();
  let watch: Watch | undefined;
  // Requests are answered in order: each waits for the one before.
  let queue: Promise<void> = Promise.resolve();
  socket.on('message', (data) => {
    const body = Buffer.isBuffer(data)
      ? data
      : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);
    queue = queue
      .then(() => handle(body))
      .catch((err: unknown) => logger.error('WebSocket request failed', { err }));
  });
  socket.on('close', () => {
    for (const push of pushes.values()) push.stream.cancel();
    pushes.clear();
    watch?.stop();
    watch = undefined;
  });

  const send = (text: string): void => {
    if (socket.readyState === socket.OPEN) socket.send(text);
  };

  async function handle(body: Buffer): Promise<void> {
    let request: Record<string, unknown> | undefined;
    try {
      const parsed = JSON.parse(body.toString('utf8')) as unknown;
      if (isObject(parsed)) request = parsed;
    } catch {
      // answer() says what is wrong with it.
    }
    // watchMqSessionEvents is the WebSocket's own action (event-watch.ts); one feed per socket.
    if (
      request &&
      typeof request.action === 'string' &&
      request.action.toLowerCase() === WATCH_ACTION.toLowerCase()
    ) {
      watch?.stop();
      watch = undefined;
      const token = typeof request.authToken === 'string' ? request.authToken : '';
      const started = await startWatch(
        backend,
        token,
        request.requestId ?? null,
        (response) => send(JSON.stringify(response)),
        (frame) => send(JSON.stringify(frame)),
      );
      if (socket.readyState === socket.OPEN) watch = started;
      else started?.stop();
      return;
    }
    // "push" is the WebSocket's own parameter: the action never sees it.
    let push: boolean | undefined;
    if (request && request.action === PUSH_ACTION && isObject(request.params) && 'push' in request.params) {
      const { push: asked, ...params } = request.params;
      push = asked === true ? true : asked === false ? false : undefined;
      if (push === undefined) {
        const failure = {
          errorCode: ERROR_KINDS.INVALID_VALUE.jsonCode,
          errorMessage: 'push must be true or false',
        };
        send(JSON.stringify({ result: {}, ...failure, requestId: request.requestId ?? null }));
        return;
      }
      request = { ...request, params };
      body = Buffer.from(JSON.stringify(request));
    }
    const { response, echo } = await answer(body, `${requestId}.${++frames}`);
    send(serialize(response, echo));
    if (push === undefined || response.errorCode !== 0 || !request) return;
    const params = request.params as Record<string, unknown>;
    const clientName = params.clientName as string;
    pushes.get(clientName)?.stream.cancel();
    pushes.delete(clientName);
    if (push) {
      startPush(
        clientName,
        typeof params.topic === 'string' ? params.topic : '',
        typeof params.binaryFormat === 'string' ? params.binaryFormat : 'utf8',
        echo.authToken,
        echo.requestId,
      );
    }
  }

  function startPush(
    clientName: string,
    topic: string,
    format: string,
    token: string,
    requestId: unknown,
  ): void {
    const stream = backend.session.Receive({ clientName, topic }, backend.bearer(token));
    const push: Push = { stream };
    pushes.set(clientName, push);
    let batch: Record<string, unknown>[] = [];
    let flushing = false;
    const flush = (): void => {
      flushing = false;
      if (batch.length === 0) return;
      const data = batch;
      batch = [];
      send(
        JSON.stringify({
          push: PUSH_ACTION,
          requestId,
          clientName,
          result: { clientName, data, messageCount: data.length },
        }),
      );
      if (socket.bufferedAmount > PUSH_HIGH_WATER) {
        stream.pause();
        const resume = setInterval(() => {
          if (socket.bufferedAmount <= PUSH_HIGH_WATER || socket.readyState !== socket.OPEN) {
            clearInterval(resume);
            stream.resume();
          }
        }, 10);
      }
    };
    stream.on('data', (m: StoredMessage__Output) => {
      batch.push(renderStoredMessage(m, format));
      // Messages that arrive together go in one frame.
      if (!flushing) {
        flushing = true;
        setImmediate(flush);
      }
    });
    stream.on('error', (err: Error & { code?: number }) => {
      if (pushes.get(clientName) !== push) return; // cancelled: replaced, stopped or closed
      pushes.delete(clientName);
      flush();
      const failure = toFailure(err);
      send(
        JSON.stringify({
          push: PUSH_ACTION,
          requestId,
          clientName,
          errorCode: failure.errorCode,
          errorMessage: failure.errorMessage,
        }),
      );
    });
  }
}
