// The JSON API as the CLI calls it: one POST /api per command, in the FairCom envelope
// (docs/json-api.md). A failure keeps the API's errorCode and errorMessage, so that the command
// can show them as they are.

/** The API answered with errorCode ≠ 0, or could not be reached (errorCode undefined). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly errorCode?: number,
    /** Exit status of the command: 1 for failures of the call, 2 for a wrong command line. */
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface Warning {
  warningCode?: number;
  warningMessage?: string;
}

export interface Answer {
  result: unknown;
  warnings: Warning[];
  authToken?: string;
}

export interface Call {
  url: string;
  /** Omitted: the api-gateway finds the action's api itself. */
  api?: string;
  action: string;
  params?: Record<string, unknown>;
  authToken?: string;
}

const TIMEOUT_MS = 30_000;

/** POST /api; resolves with the result of errorCode 0, throws CliError otherwise. */
export async function callApi({ url, api, action, params = {}, authToken }: Call): Promise<Answer> {
  const endpoint = new URL('/api', url).toString();
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...(api ? { api } : {}), action, params, ...(authToken ? { authToken } : {}) }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    throw new CliError(
      `cannot reach the JSON API at ${endpoint} (${why}): is mqfleet running there? ` +
        'Give its address with --url or MQFLEET_API_URL',
    );
  }
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new CliError(
      `${endpoint} answered HTTP ${response.status} with something that is not JSON; is it mqfleet's api-gateway?`,
    );
  }
  const errorCode = typeof body.errorCode === 'number' ? body.errorCode : undefined;
  if (errorCode === undefined) {
    throw new CliError(`${endpoint} answered without an errorCode; is it mqfleet's api-gateway?`);
  }
  if (errorCode !== 0) {
    throw new CliError(String(body.errorMessage ?? 'no errorMessage'), errorCode);
  }
  const debugInfo = body.debugInfo as { warnings?: Warning[] } | undefined;
  return {
    result: body.result,
    warnings: Array.isArray(debugInfo?.warnings) ? debugInfo.warnings : [],
    ...(typeof body.authToken === 'string' ? { authToken: body.authToken } : {}),
  };
}
