// The OpenAPI document (GET /openapi.json) and Swagger UI (GET /docs): a valid OpenAPI 3.1
// document that names exactly the actions the gateway registers, whose examples the gateway's
// own validation accepts. No session-service needed (none is running).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020';
import { ALTER_PARAMS, ERROR_KINDS, parseAlterParams } from '@mqfleet/core';
import type { ApiGateway } from '../src/index';
import { listActions } from '../src/actions';
import { ACTION_DOCS, EXAMPLE_REQUESTS, OPENAPI_DOCUMENT } from '../src/openapi';
import { gateway, post } from './helpers';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const TOKEN = 'any-token';

describe('OpenAPI document', () => {
  let gw: ApiGateway;
  let doc: Json;
  let ajv: Ajv2020;
  const schemaOf = (name: string) => ajv.getSchema(`openapi#/components/schemas/${name}`)!;

  before(async () => {
    gw = gateway();
    const res = await gw.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    doc = res.json();
    // OpenAPI 3.1 schemas are JSON Schema 2020-12; the OpenAPI keywords (discriminator) are not.
    ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
    ajv.addSchema(doc, 'openapi');
  });
  after(() => gw.close());

  it('is served as built and is valid OpenAPI 3.1', async () => {
    assert.deepEqual(doc, JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)));
    assert.match(doc.openapi, /^3\.1\./);
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    assert.deepEqual(result.errors, undefined);
    assert.equal(result.valid, true);
    assert.equal(validator.version, '3.1');
  });

  it('documents exactly the actions the gateway registers, with their api and token rule', () => {
    const registered = listActions();
    const documented = Object.keys(ACTION_DOCS);
    assert.deepEqual(registered.map((a) => a.name).sort(), [...documented].sort());
    for (const def of registered) {
      const d = ACTION_DOCS[def.name]!;
      assert.equal(d.api, def.api, `${def.name} api`);
      assert.equal(d.tokenRequired, def.tokenRequired, `${def.name} tokenRequired`);
    }
    // …and the served request body is a oneOf over exactly those, discriminated by action.
    const body = doc.paths['/api'].post.requestBody.content['application/json'].schema;
    assert.equal(body.discriminator.propertyName, 'action');
    assert.deepEqual(Object.keys(body.discriminator.mapping).sort(), [...documented].sort());
    assert.equal(body.oneOf.length, documented.length);
    for (const [action, target] of Object.entries(body.discriminator.mapping) as [string, string][]) {
      assert.ok(
        body.oneOf.some((s: Json) => s.$ref === target),
        action,
      );
      const name = target.replace('#/components/schemas/', '');
      const request = doc.components.schemas[name];
      assert.equal(request.properties.action.const, action);
      const paramsRef: string = request.properties.params.$ref;
      assert.ok(doc.components.schemas[paramsRef.replace('#/components/schemas/', '')], paramsRef);
    }
  });

  it('gives alterMqSession exactly the properties core accepts', () => {
    const params = doc.components.schemas.AlterMqSessionParams;
    assert.deepEqual(Object.keys(params.properties).sort(), [...ALTER_PARAMS].sort());
    assert.equal(params.additionalProperties, false);
    const changes = doc.components.schemas.AlterMqSessionsParams.properties.changes;
    const settings = ALTER_PARAMS.filter((p) => p !== 'clientName' && p !== 'expectedVersion');
    assert.deepEqual(Object.keys(changes.properties).sort(), [...settings].sort());
  });

  it('lists every errorCode of the error catalogue', () => {
    const codes: number[] = doc.components.schemas.ErrorCode.enum;
    const catalogue = new Set<number>(Object.values(ERROR_KINDS).map((k) => k.jsonCode));
    assert.deepEqual([...codes].sort(), [0, ...catalogue].sort());
    for (const code of catalogue) {
      assert.match(doc.components.schemas.ErrorCode.description, new RegExp(`\\| ${code} \\|`));
    }
  });

  it('documents the health probes', () => {
    assert.ok(doc.paths['/health/live'].get.responses['200']);
    assert.ok(doc.paths['/health/ready'].get.responses['200']);
    assert.ok(doc.paths['/health/ready'].get.responses['503']);
  });

  it('has the example requests, valid against their own schemas', () => {
    const examples = doc.paths['/api'].post.requestBody.content['application/json'].examples;
    assert.deepEqual(Object.keys(examples).sort(), [
      'alterMqSession',
      'createMqApiSession',
      'createSession',
      'describeTopics',
      'getMessagesFromMqApiSession',
      'getMessagesFromMqTopic',
      'listMqSessions',
      'listTopics',
      'publishMessagesToMq',
    ]);
    const validate = ajv.compile({
      $ref: 'openapi#/paths/~1api/post/requestBody/content/application~1json/schema',
    });
    for (const [name, example] of Object.entries(examples) as [string, Json][]) {
      assert.equal(validate(example.value), true, `${name}: ${JSON.stringify(validate.errors)}`);
      const own = schemaOf(`${name[0]!.toUpperCase()}${name.slice(1)}Request`);
      assert.equal(own(example.value), true, `${name}: ${JSON.stringify(own.errors)}`);
    }
    const responses = doc.paths['/api'].post.responses['200'].content['application/json'].examples;
    for (const [name, example] of Object.entries(responses) as [string, Json][]) {
      const validateResponse = schemaOf('ApiResponse');
      assert.equal(
        validateResponse(example.value),
        true,
        `${name}: ${JSON.stringify(validateResponse.errors)}`,
      );
    }
    // The topic actions' example results match their result schemas (strictly: no property the
    // schema does not name).
    for (const name of ['listTopics', 'describeTopics']) {
      const result = schemaOf(`${name[0]!.toUpperCase()}${name.slice(1)}Result`);
      const value = responses[name].value.result;
      assert.equal(result(value), true, `${name}: ${JSON.stringify(result.errors)}`);
      const strict = new Ajv2020({ strict: false, allErrors: true, logger: false });
      const closed = (schema: unknown): unknown => {
        if (Array.isArray(schema)) return schema.map(closed);
        if (schema === null || typeof schema !== 'object') return schema;
        const entries = Object.entries(schema as Json).map(([k, v]) => [k, closed(v)]);
        if ('properties' in schema) entries.push(['additionalProperties', false]);
        return Object.fromEntries(entries);
      };
      const own = strict.compile(
        closed(doc.components.schemas[`${name[0]!.toUpperCase()}${name.slice(1)}Result`]) as Json,
      );
      assert.equal(own(value), true, `${name}: ${JSON.stringify(own.errors)}`);
    }
  });

  it('refuses in the schema what the gateway refuses', async () => {
    const validate = schemaOf('AlterMqSessionRequest');
    const refused: Json[] = [
      { clientName: 'c', colour: 'red' },
      { clientName: 'c', keepAliveSeconds: 70000 },
      { clientName: 'c', sessionStatus: 'angry' },
      { keepAliveSeconds: 5 },
    ];
    for (const params of refused) {
      const request = { api: 'mq', action: 'alterMqSession', authToken: TOKEN, params };
      assert.equal(validate(request), false, JSON.stringify(params));
      const res = await post(gw, request);
      assert.ok([12012, 12025].includes(res.body.errorCode), JSON.stringify(res.body));
    }
  });

  it("the gateway's own validation accepts the example requests", async () => {
    const alter = EXAMPLE_REQUESTS.alterMqSession!.value;
    const parsed = parseAlterParams(alter.params);
    assert.equal(parsed.clientName, (alter.params as Json).clientName);
    assert.equal(parsed.patch.willPayloadUtf8, true);
    assert.equal(parsed.patch.labelName, 'label name');
    for (const [name, example] of Object.entries(EXAMPLE_REQUESTS)) {
      // Past every check the action reaches for the session-service, which is not running.
      const res = await post(gw, example.value);
      assert.equal(res.body.errorCode, 12019, `${name}: ${JSON.stringify(res.body)}`);
    }
  });

  it('serves Swagger UI at /docs with its assets from the package', async () => {
    const page = await gw.app.inject({ method: 'GET', url: '/docs' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /swagger-ui/i);
    const bundle = await gw.app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    assert.equal(bundle.statusCode, 200);
    const spec = await gw.app.inject({ method: 'GET', url: '/docs/json' });
    assert.deepEqual(spec.json(), doc);
  });

  it('leaves unknown routes and /api as they were', async () => {
    const res = await gw.app.inject({ method: 'GET', url: '/docs/static/nope.js' });
    assert.equal(res.statusCode, 404);
    const api = await gw.app.inject({ method: 'GET', url: '/api' });
    assert.equal(api.statusCode, 405);
    assert.equal(api.json().errorCode, 12012);
  });
});
