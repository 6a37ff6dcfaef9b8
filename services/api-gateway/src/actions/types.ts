// What an action handler gets and gives back.
import type { Backend } from '../backend';
import type { ResponseOptions, Warning } from '../envelope';
import type { Schema } from '../schemas';

export type ApiName = 'admin' | 'mq';

export interface ActionContext {
  params: Record<string, unknown>;
  /** The request's authToken; '' when it has none. */
  authToken: string;
  options: ResponseOptions;
  backend: Backend;
  /** The HTTP client's address (Fastify's request.ip; no proxy is trusted). */
  clientAddress: string;
  warnings: Warning[];
  serverSuppliedValues: Record<string, unknown>;
}

export interface ActionResult {
  result: Record<string, unknown>;
  /** Replaces the echoed authToken (createSession returns the new one). */
  authToken?: string;
}

export interface ActionDef {
  api: ApiName;
  name: string;
  /** Whether the action refuses a request without an authToken (12031) before anything else. */
  tokenRequired: boolean;
  /** One line for the OpenAPI document. */
  summary: string;
  /** The params the action accepts: checked before it runs (api.ts) and documented (openapi.ts). */
  params: Schema;
  /** What it answers in `result` (documented). */
  result: Schema;
  run(ctx: ActionContext): Promise<ActionResult>;
}
