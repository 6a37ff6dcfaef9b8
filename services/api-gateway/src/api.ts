// POST /api: the body as JSON whatever its Content-Type, the envelope checked, the action run,
// and every outcome (including failures) answered in the FairCom response envelope.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from '@mqfleet/core';
import { checkParams, ERROR_KINDS, MqfleetError } from '@mqfleet/core';
import { findAction } from './actions';
import type { Backend } from './backend';
import {
  buildResponse,
  isObject,
  readEcho,
  readEnvelope,
  serialize,
  type Echo,
  type Outcome,
} from './envelope';
import { BAD_TOKEN_MESSAGE, toFailure, type ApiFailure } from './errors';
import { backendFor, type AccountNames, type RequestNote } from './observe';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseBody(body: unknown): { ok: true; value: unknown } | { ok: false } {
  if (!Buffer.isBuffer(body) || body.length === 0) return { ok: false };
  try {
    const text = utf8.decode(body).replace(/^\uFEFF/, '');
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function send(
  reply: FastifyReply,
  status: number,
  response: Record<string, unknown>,
  echo: Echo,
): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(serialize(response, echo));
}

/** A response for a failure found before the request could be read as an envelope. */
export function failureResponse(
  failure: ApiFailure,
  echo: Echo = readEcho(undefined),
): Record<string, unknown> {
  return buildResponse(undefined, echo, { failure, warnings: [], serverSuppliedValues: {} });
}

/** One request's answer: HTTP status, the response envelope and how to write it. */
export interface Answer {
  status: number;
  response: Record<string, unknown>;
  echo: Echo;
}

/**
 * Answers one request body (bytes or text) as POST /api does; the WebSocket endpoint uses it too.
 * clientAddress is the HTTP client's (Fastify's request.ip): logins are throttled by it.
 * `requestId` goes with every call it makes to the session-service; `note` learns the action and
 * the account for the access log (observe.ts).
 */
export type Answerer = (
  body: Buffer,
  clientAddress: string,
  requestId: string,
  note?: RequestNote,
) => Promise<Answer>;

/** Registers POST /api; returns the function that answers a request body. */
export function registerApi(
  app: FastifyInstance,
  backend: Backend,
  logger: Logger,
  accounts: AccountNames,
): Answerer {
  const run = async (
    body: Record<string, unknown>,
    clientAddress: string,
    requestId: string,
    note: RequestNote,
  ): Promise<Outcome> => {
    const outcome: Outcome = { warnings: [], serverSuppliedValues: {} };
    try {
      const envelope = readEnvelope(body);
      const def = findAction(envelope.api, envelope.action);
      note.action = def.name;
      note.authToken = envelope.authToken || undefined;
      if (envelope.api === undefined) outcome.serverSuppliedValues.api = def.api;
      if (def.tokenRequired && envelope.authToken === '') {
        throw new MqfleetError('BAD_TOKEN', BAD_TOKEN_MESSAGE, 'authToken');
      }
      // The params as the action declares them (src/actions, openapi.ts shows the same schema).
      for (const key of checkParams(envelope.params, def.params, def.name)) {
        outcome.warnings.push({
          warningCode: 12006,
          warningMessage: `"${key}" is not supported yet and was ignored`,
        });
      }
      const done = await def.run({
        params: envelope.params,
        authToken: envelope.authToken,
        options: envelope.options,
        backend: backendFor(backend, requestId),
        clientAddress,
        warnings: outcome.warnings,
        serverSuppliedValues: outcome.serverSuppliedValues,
      });
      outcome.result = done.result;
      if (done.authToken !== undefined) {
        outcome.authToken = done.authToken;
        // createSession: the new token's account is the one that logged in.
        const username = done.result.username;
        if (typeof username === 'string') {
          accounts.remember(done.authToken, username);
          note.account = username;
          note.authToken = undefined;
        }
      }
    } catch (err) {
      outcome.failure = toFailure(err);
      // A token the session-service refused has no account: the access log does not ask for it
      // (a flood of made-up tokens must not cost a WhoAmI each).
      if (outcome.failure.errorCode === ERROR_KINDS.BAD_TOKEN.jsonCode) note.authToken = undefined;
      if (outcome.failure.unexpected)
        logger.error('action failed', { action: note.action ?? body.action, requestId, err });
    }
    return outcome;
  };

  const answer: Answerer = async (body, clientAddress, requestId, note = {}) => {
    const parsed = parseBody(body);
    if (!parsed.ok) {
      const failure = {
        errorCode: ERROR_KINDS.NOT_JSON.jsonCode,
        errorMessage: 'the request body is not valid JSON',
      };
      return { status: 400, response: failureResponse(failure), echo: readEcho(undefined) };
    }
    if (!isObject(parsed.value)) {
      const failure = {
        errorCode: ERROR_KINDS.NOT_OBJECT.jsonCode,
        errorMessage: 'the request body must be a JSON object',
      };
      return { status: 200, response: failureResponse(failure), echo: readEcho(undefined) };
    }
    const echo = readEcho(parsed.value);
    const outcome = await run(parsed.value, clientAddress, requestId, note);
    return { status: 200, response: buildResponse(parsed.value, echo, outcome), echo };
  };

  app.post('/api', async (request, reply) => {
    request.note = {};
    const { status, response, echo } = await answer(
      request.body as Buffer,
      request.ip,
      request.id,
      request.note,
    );
    return send(reply, status, response, echo);
  });

  app.route({
    method: ['GET', 'PUT', 'DELETE', 'PATCH'],
    url: '/api',
    handler: async (_request, reply) => {
      const failure = { errorCode: ERROR_KINDS.INVALID_VALUE.jsonCode, errorMessage: 'use POST for /api' };
      return send(reply.header('allow', 'POST'), 405, failureResponse(failure), readEcho(undefined));
    },
  });
  return answer;
}
