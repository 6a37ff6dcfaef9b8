// The JSON API as the dashboard uses it: POST /api with the FairCom envelope
// (docs/json-api.md), the token kept in this module's memory only (never in the URL or in
// storage), and the live feed of session events over the WebSocket /ws (watchMqSessionEvents).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

export interface Answer {
  result: Json;
  errorCode: number;
  errorMessage: string;
  debugInfo?: Json;
}

/** An answer with errorCode ≠ 0: the API's own message and the property it names, if any. */
export class ApiError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
    readonly property: string | undefined,
  ) {
    super(message);
  }
}

let token = '';
let onLoggedOut: (why: string) => void = () => undefined;

export function setLoggedOutHandler(handler: (why: string) => void): void {
  onLoggedOut = handler;
}

export function loggedIn(): boolean {
  return token !== '';
}

const ADMIN_ACTIONS = new Set([
  'createSession',
  'deleteSession',
  'pingSession',
  'createAccount',
  'alterAccount',
  'deleteAccount',
  'listAccounts',
  'createLabel',
  'alterLabel',
  'listLabels',
  'listLabelGroups',
  'changeLabels',
]);

/** Runs one action; resolves with its result, rejects with an ApiError carrying the API's message. */
export async function call(action: string, params: Json = {}): Promise<Json> {
  const answer = await send(action, params);
  if (answer.errorCode !== 0) {
    const property = answer.debugInfo?.errorData?.property as string | undefined;
    if (answer.errorCode === 12031 && action !== 'createSession') {
      token = '';
      onLoggedOut('Your session ended (the token expired or was revoked): log in again.');
    }
    throw new ApiError(answer.errorCode, `${answer.errorMessage} (${answer.errorCode})`, property);
  }
  return answer.result;
}

/** The whole answer, warnings included; no error thrown for errorCode ≠ 0. */
export async function send(action: string, params: Json = {}): Promise<Answer> {
  const res = await fetch('/api', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      api: ADMIN_ACTIONS.has(action) ? 'admin' : 'mq',
      action,
      params,
      authToken: token,
      debug: 'maxOnError',
    }),
  });
  return (await res.json()) as Answer;
}

export async function login(username: string, password: string): Promise<void> {
  const result = await call('createSession', { username, password });
  token = String(result.authToken ?? '');
  if (token === '') throw new ApiError(-1, 'createSession answered without a token', undefined);
}

export async function logout(): Promise<void> {
  if (token === '') return;
  await send('deleteSession').catch(() => undefined);
  token = '';
}

export type FeedState = 'connecting' | 'live' | 'down';

/**
 * The live feed of session events: opens /ws, asks for watchMqSessionEvents and calls `onEvents`
 * with each batch; reopens after a drop while logged in. `onState` says whether it is live (the
 * caller reads the sessions again when it becomes live, since missed events are not replayed).
 */
export function watchSessionEvents(
  onEvents: (events: Json[]) => void,
  onState: (state: FeedState, why?: string) => void,
): () => void {
  let socket: WebSocket | undefined;
  let stopped = false;
  // Refused (12030 not an administrator, 12031 the token expired): trying again would be refused
  // again. Other failures (the session-service restarting) are tried again.
  let refused = false;
  const REFUSALS = [12030, 12031];
  let retry: ReturnType<typeof setTimeout> | undefined;
  const open = (): void => {
    if (stopped || token === '') return;
    onState('connecting');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () =>
      ws.send(
        JSON.stringify({ api: 'mq', action: 'watchMqSessionEvents', requestId: 'feed', authToken: token }),
      );
    ws.onmessage = (message) => {
      const frame = JSON.parse(String(message.data)) as Json;
      if (frame.push === 'watchMqSessionEvents') {
        if (frame.errorCode) {
          refused = REFUSALS.includes(frame.errorCode as number);
          onState('down', String(frame.errorMessage));
          ws.close();
          return;
        }
        onEvents(frame.result.events as Json[]);
      } else if (frame.requestId === 'feed') {
        if (frame.errorCode === 0) onState('live');
        else {
          refused = REFUSALS.includes(frame.errorCode as number);
          onState('down', String(frame.errorMessage));
          ws.close();
        }
      }
    };
    ws.onclose = () => {
      if (stopped || refused) return;
      onState('down');
      retry = setTimeout(open, 2000);
    };
  };
  open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    socket?.close();
  };
}
