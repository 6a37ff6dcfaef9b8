import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fastSerializer, packageDefinition, projectedDeserializer, type Projection } from '@mqfleet/proto';

type Obj = Record<string, unknown>;
interface FieldDescriptor {
  name: string;
  label: string;
  type: string;
  typeName: string;
}
const messageFields = (fullName: string): FieldDescriptor[] =>
  (packageDefinition[fullName] as unknown as { type: { field: FieldDescriptor[] } }).type.field;
const enumNames = (fullName: string): string[] =>
  (packageDefinition[fullName] as unknown as { type: { value: { name: string }[] } }).type.value.map(
    (v) => v.name,
  );

const RESPONSE = 'mqfleet.v1.ListSessionsResponse';
const protobufjs = (packageDefinition[RESPONSE] as unknown as { serialize: (v: unknown) => Buffer })
  .serialize;
const fullDecode = (packageDefinition[RESPONSE] as unknown as { deserialize: (b: Buffer) => Obj })
  .deserialize;
let fallbacks = 0;
const fast = fastSerializer<unknown>(packageDefinition, RESPONSE, () => fallbacks++);

/** A deterministic pseudo-random source (tests repeat exactly). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const TEXTS = ['', 'a', 'fleet-000001', 'ünïcödé ✓', '😀 emoji pair', 'x'.repeat(200), 'ß'.repeat(70)];
const BASE64 = ['', 'AA==', 'AAE=', 'AAEC', Buffer.from('hello world').toString('base64')];

/** A random object of the message, as the services build them: every field or some left out. */
function randomMessage(fullName: string, next: () => number, depth = 0): Obj {
  const out: Obj = {};
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)]!;
  for (const f of messageFields(fullName)) {
    if (next() < 0.15) continue; // absent
    const scope = fullName.slice(0, fullName.lastIndexOf('.'));
    const one = (): unknown => {
      switch (f.type) {
        case 'TYPE_STRING':
          return pick(TEXTS);
        case 'TYPE_BYTES':
          return pick(BASE64);
        case 'TYPE_BOOL':
          return next() < 0.5;
        case 'TYPE_DOUBLE':
          return pick([0, 1.5, -2.25, 1e300, 60, Number.MAX_VALUE]);
        case 'TYPE_UINT32':
          return pick([0, 1, 127, 128, 16384, 65535, 4294967295]);
        case 'TYPE_INT32':
          return pick([0, 1, 300, -1, -2147483648, 2147483647]);
        case 'TYPE_UINT64':
          return pick(['0', '1', '127', '128', '4294967296', '18446744073709551615', 7]);
        case 'TYPE_ENUM':
          return pick([...enumNames(`${scope}.${f.typeName}`), 0, 1, 99]);
        case 'TYPE_MESSAGE':
          return depth > 4 ? {} : randomMessage(`${scope}.${f.typeName}`, next, depth + 1);
        default:
          throw new Error(`test: no values for ${f.type}`);
      }
    };
    if (f.label === 'LABEL_REPEATED') {
      out[f.name] = Array.from({ length: Math.floor(next() * 3) }, one);
    } else {
      out[f.name] = next() < 0.05 ? null : one();
    }
  }
  return out;
}

/** Both serializers' outcome: the bytes, or the error's message. */
/** A ListSessions reply of 0-3 random sessions; half the time with the given cursor. */
function randomPage(next: () => number, cursor: string): Obj {
  return {
    sessions: Array.from({ length: Math.floor(next() * 4) }, () => randomMessage('mqfleet.v1.Session', next)),
    nextCursor: next() < 0.5 ? '' : cursor,
  };
}

function both(value: unknown): { fast: Buffer | string; protobufjs: Buffer | string } {
  const run = (f: (v: unknown) => Buffer): Buffer | string => {
    try {
      return f(value);
    } catch (err) {
      return `throws ${(err as Error).message}`;
    }
  };
  return { fast: run(fast), protobufjs: run(protobufjs) };
}

describe('fastSerializer', () => {
  test('writes the bytes of proto-loader’s serializer for random session pages', () => {
    const next = random(42);
    fallbacks = 0;
    for (let i = 0; i < 300; i++) {
      const page = randomPage(next, 'eyJzIjoiY2xpZW50TmFtZSJ9');
      const r = both(page);
      assert.ok(Buffer.isBuffer(r.fast), `fast failed on case ${i}: ${String(r.fast)}`);
      assert.deepEqual(r.fast, r.protobufjs, `case ${i}: ${JSON.stringify(page)}`);
    }
    assert.equal(fallbacks, 0, 'these values are all written by the fast path itself');
  });

  test('values it does not reproduce itself go to proto-loader’s serializer (same bytes or error)', () => {
    const session = (extra: Obj, settings: Obj = {}, connection: Obj = {}) => ({
      sessions: [
        {
          clientName: 'c',
          version: '3',
          settings: { sessionStatus: 'SESSION_STATUS_NORMAL', ...settings },
          connection: { status: 'CONNECTION_STATUS_CONNECTED', ...connection },
          ...extra,
        },
      ],
    });
    const cases: unknown[] = [
      session({ clientName: 'lone \ud800 surrogate' }),
      session({ clientName: 42 }),
      session({ version: '0018' }),
      session({ version: '18446744073709551616' }),
      session({ version: -1 }),
      session({ version: 12 }),
      session({}, { willPayload: 'QQ' }), // base64 without padding
      session({}, { willPayload: 'not base64!' }),
      session({}, { willPayload: Buffer.from([1, 2, 3]) }),
      session({}, { keepAliveSeconds: '60' }),
      session({}, { keepAliveSeconds: -5 }),
      session({}, { labelId: -7 }),
      session({}, { sessionStatus: 'NO_SUCH_STATUS' }),
      session({}, { sessionStatus: 3.7 }),
      session({}, { sessionStatus: true }),
      session({}, { temporarySession: 'yes' }),
      session({}, { minHealthySendRatePerMinute: '1.5' }),
      session({}, { userProperties: [{ key: 'k', value: 'v' }, null] }),
      session({}, { userProperties: 'not a list' }),
      session({ settings: [] }),
      session({ settings: 'x' }),
      session({ subscriptions: [{ topicFilter: 'a/#', qos: 1 }] }),
      session({ unknownProperty: 'ignored' }),
      { sessions: null, nextCursor: null },
      {},
    ];
    fallbacks = 0;
    for (const [i, c] of cases.entries()) {
      const r = both(c);
      assert.deepEqual(r.fast, r.protobufjs, `case ${i}: ${JSON.stringify(c)}`);
    }
    assert.ok(fallbacks > 10, `most of these go to protobufjs (${fallbacks})`);
  });

  test('refuses a message with a field type it does not handle', () => {
    // A repeated number is packed by protobufjs; nothing in the contract has one except maybe later.
    assert.throws(() => fastSerializer(packageDefinition, 'mqfleet.v1.NoSuchMessage'), /not a message/);
  });
});

describe('projectedDeserializer', () => {
  const projection: Projection = {
    sessions: {
      clientName: true,
      sessionType: true,
      settings: { sessionStatus: true, labelId: true, labelGroup: true, labelName: true },
      connection: { status: true },
    },
    nextCursor: true,
  };
  const decode = projectedDeserializer<Obj>(packageDefinition, RESPONSE, projection);

  /** The projection's fields of a fully decoded object. */
  function pick(value: unknown, p: Projection): unknown {
    if (value === null) return null;
    if (Array.isArray(value)) return value.map((v) => pick(v, p));
    const out: Obj = {};
    for (const [k, sub] of Object.entries(p)) {
      const v = (value as Obj)[k];
      out[k] = sub === true ? v : pick(v, sub);
    }
    return out;
  }

  test('gives the projected fields exactly as proto-loader’s deserializer does', () => {
    const next = random(7);
    for (let i = 0; i < 300; i++) {
      const page = randomPage(next, 'cursor-✓');
      const bytes = protobufjs(page);
      assert.deepEqual(
        decode(bytes),
        pick(fullDecode(bytes), projection),
        `case ${i}: ${JSON.stringify(page)}`,
      );
    }
  });

  test('an empty message gives every projected field its default', () => {
    assert.deepEqual(decode(Buffer.alloc(0)), { sessions: [], nextCursor: '' });
    const bytes = protobufjs({ sessions: [{ settings: { labelId: 0 } }] });
    assert.deepEqual(decode(bytes), pick(fullDecode(bytes), projection));
  });

  test('truncated input is an error, not a partial page', () => {
    const bytes = protobufjs({ sessions: [{ clientName: 'abcdef', settings: { labelGroup: 'g' } }] });
    assert.throws(() => decode(bytes.subarray(0, bytes.length - 3)), /out of range/);
  });

  test('refuses a projection naming a field the message does not have', () => {
    assert.throws(
      () => projectedDeserializer(packageDefinition, RESPONSE, { sessions: { noSuchField: true } }),
      /no field noSuchField/,
    );
  });
});
