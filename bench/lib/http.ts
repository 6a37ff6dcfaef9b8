// A keep-alive HTTP client for POST /api and a bounded-concurrency load loop.
import * as http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface ApiReply {
  status: number;
  // The FairCom envelope {result, errorCode, errorMessage, requestId, authToken[, debugInfo]}.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: Record<string, any>;
  latencyMs: number;
}

export class HttpClient {
  private readonly agent: http.Agent;
  private readonly url: URL;

  constructor(
    url: string,
    maxSockets: number,
    private readonly timeoutMs = 10000,
  ) {
    this.url = new URL(url);
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  post(payload: unknown): Promise<ApiReply> {
    const body = Buffer.from(JSON.stringify(payload));
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          path: this.url.pathname,
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const latencyMs = performance.now() - started;
            try {
              resolve({
                status: res.statusCode ?? 0,
                body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ApiReply['body'],
                latencyMs,
              });
            } catch (err) {
              reject(err as Error);
            }
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(this.timeoutMs, () =>
        req.destroy(new Error(`HTTP request timed out after ${this.timeoutMs / 1000} s`)),
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  action(
    api: string,
    action: string,
    params: Record<string, unknown>,
    authToken?: string,
  ): Promise<ApiReply> {
    return this.post({ api, action, params, ...(authToken === undefined ? {} : { authToken }) });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface LoadResult {
  requests: number;
  errors: number;
  elapsedMs: number;
  latencies: number[];
  /** The first few distinct error descriptions, for the report. */
  errorSamples: string[];
}

/**
 * Runs `request(i)` for i = 0, 1, … with at most `concurrency` in flight, until `count` requests
 * have been issued or `durationMs` has passed, whichever comes first. A request counts as an
 * error when it throws, or when `ok(reply)` is false.
 */
export async function runLoad(options: {
  concurrency: number;
  count: number;
  durationMs: number;
  request: (i: number) => Promise<ApiReply>;
  ok: (reply: ApiReply) => boolean;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  const errorSamples = new Set<string>();
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const worker = async (): Promise<void> => {
    while (next < options.count && performance.now() < deadline) {
      const i = next++;
      try {
        const reply = await options.request(i);
        latencies.push(reply.latencyMs);
        if (!options.ok(reply)) {
          errors++;
          if (errorSamples.size < 5) errorSamples.add(`${reply.body.errorCode}: ${reply.body.errorMessage}`);
        }
      } catch (err) {
        errors++;
        if (errorSamples.size < 5) errorSamples.add((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return {
    requests: next,
    errors,
    elapsedMs: performance.now() - started,
    latencies,
    errorSamples: [...errorSamples],
  };
}
