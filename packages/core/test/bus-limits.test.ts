// Table tests of the checks that keep topics, filters, messages, subscriptions and session events
// within what NATS carries (src/bus-limits.ts, src/event-size.ts; docs/mqtt.md "Limits of the
// message bus").
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BUS_HEADER_RESERVE,
  busMaxPacketSize,
  busMessageBytes,
  CONTROL_LINE_RESERVE,
  filterSubjectProblem,
  subjectBudget,
  SubscriptionBudget,
  topicSubjectProblem,
  type BusProperties,
} from '../src/bus-limits';
import {
  boundedBulkEntry,
  referenceEvent,
  SESSION_EVENT_INLINE_BYTES,
  sessionEventPayload,
} from '../src/event-size';
import { subjects, type SessionEvent } from '../src/subjects';
import { filterToSubjects, topicToSubject } from '../src/topics';

/** Budget with the default prefix and nats-server's default max_control_line. */
const BUDGET = subjectBudget('mqfleet', 4096);

describe('subjectBudget', () => {
  it('is max_control_line less the reserve and the longest prefix (a consumer-create request)', () => {
    // "$JS.API.CONSUMER.CREATE.MQFLEET_RETAINED.<48>.mqfleet.retained." is 107 bytes.
    assert.equal(BUDGET, 4096 - CONTROL_LINE_RESERVE - 107);
    assert.equal(BUDGET, 3733);
  });

  it('every subject mqfleet builds for a topic at the budget fits the control line with its reserve', () => {
    const topic = 'a'.repeat(BUDGET);
    const s = subjects('mqfleet');
    const consumerName = `qm_${'t'.repeat(22)}_${'h'.repeat(16)}`;
    const lines = [
      `HPUB ${s.message(topic)} _INBOX.${'i'.repeat(22)}.${'j'.repeat(22)} 1024 1048576\r\n`,
      `HPUB ${s.retained(topic)} _INBOX.${'i'.repeat(22)}.${'j'.repeat(22)} 1024 1048576\r\n`,
      `HPUB ${s.queueMessage(topic)} _INBOX.${'i'.repeat(22)}.${'j'.repeat(22)} 1024 1048576\r\n`,
      `SUB ${s.messagePrefix}.${topicToSubject(topic)} share_${'q'.repeat(22)} 4294967295\r\n`,
      `PUB $JS.API.CONSUMER.CREATE.${s.queueStream}.${consumerName}.${s.queueMessage(topic)} _INBOX.${'i'.repeat(22)}.${'j'.repeat(22)} 65536\r\n`,
    ];
    for (const line of lines)
      assert.ok(Buffer.byteLength(line) <= 4096, `${line.slice(0, 40)}… is ${line.length} bytes`);
  });

  it('shrinks with a longer prefix and grows with the control line', () => {
    assert.ok(subjectBudget('p'.repeat(32), 4096) < BUDGET);
    assert.equal(subjectBudget('mqfleet', 8192), BUDGET + 4096);
  });
});

describe('topicSubjectProblem', () => {
  const cases: [string, string, boolean][] = [
    ['short topic', 'sensors/1/temp', true],
    ['plain ASCII at the budget', 'a'.repeat(BUDGET), true],
    ['plain ASCII one byte over', 'a'.repeat(BUDGET + 1), false],
    ['5,000 bytes (the issue)', 'a/'.repeat(2500), false],
    ['65,535 bytes (MQTT maximum)', 'x'.repeat(65535), false],
    ['"." escapes to 3 bytes: at the budget', '.'.repeat(BUDGET / 3 - ((BUDGET / 3) % 1)), true],
    ['"." escapes to 3 bytes: over', '.'.repeat(Math.floor(BUDGET / 3) + 1), false],
    ['2-byte UTF-8 kept as is: at the budget', 'é'.repeat(Math.floor(BUDGET / 2)), true],
    ['2-byte UTF-8 kept as is: over', 'é'.repeat(Math.floor(BUDGET / 2) + 1), false],
    ['escaped 2-byte whitespace (U+00A0 → %C2%A0): over', '\u00a0'.repeat(Math.floor(BUDGET / 6) + 1), false],
    ['escaped 2-byte whitespace: at the budget', '\u00a0'.repeat(Math.floor(BUDGET / 6)), true],
    ['empty levels become "%"', '/'.repeat(Math.floor((BUDGET - 1) / 2)), true],
    ['empty levels over', '/'.repeat(Math.floor((BUDGET - 1) / 2) + 1), false],
  ];
  for (const [name, topic, fits] of cases) {
    it(`${name}: ${fits ? 'fits' : 'refused'}`, () => {
      const problem = topicSubjectProblem(topic, BUDGET);
      assert.equal(problem === undefined, fits, problem);
      assert.equal(Buffer.byteLength(topicToSubject(topic)) <= BUDGET, fits);
      if (problem) assert.match(problem, /maps to a NATS subject of \d+ bytes; at most 3733/);
    });
  }
});

describe('filterSubjectProblem', () => {
  const cases: [string, string, boolean][] = [
    ['"#" alone', '#', true],
    ['wildcards', '+/+/#', true],
    ['"x/#" at the budget (its "x.>" subject is 2 bytes longer)', `${'x'.repeat(BUDGET - 2)}/#`, true],
    ['"x/#" over', `${'x'.repeat(BUDGET - 1)}/#`, false],
    ['5,000-byte filter (the issue)', `${'f'.repeat(4998)}/#`, false],
    [
      'shared: a long ShareName does not count (queue groups are hashed)',
      `$share/${'g'.repeat(5000)}/a/b`,
      true,
    ],
    ['shared: the filter after the ShareName counts', `$share/g/${'a'.repeat(BUDGET + 1)}`, false],
    ['shared at the budget', `$share/g/${'a'.repeat(BUDGET)}`, true],
  ];
  for (const [name, filter, fits] of cases) {
    it(`${name}: ${fits ? 'fits' : 'refused'}`, () => {
      const problem = filterSubjectProblem(filter, BUDGET);
      assert.equal(problem === undefined, fits, problem);
      if (!filter.startsWith('$share/')) {
        const longest = Math.max(...filterToSubjects(filter).map((s) => Buffer.byteLength(s)));
        assert.equal(longest <= BUDGET, fits);
      }
    });
  }
});

describe('busMaxPacketSize', () => {
  const cases: [number, number, number][] = [
    [1048576, 4096, 1048576 - BUS_HEADER_RESERVE - 4096],
    [8 * 1048576, 4096, 8 * 1048576 - BUS_HEADER_RESERVE - 4096],
    [65536, 8192, 65536 - BUS_HEADER_RESERVE - 8192],
    [1000, 4096, 0],
  ];
  for (const [maxPayload, controlLine, expected] of cases) {
    it(`max_payload ${maxPayload}, control line ${controlLine} → ${expected}`, () => {
      assert.equal(busMaxPacketSize(maxPayload, controlLine), expected);
    });
  }
});

describe('busMessageBytes', () => {
  const none: BusProperties = { userProperties: [] };
  const cases: [string, number, BusProperties, number | 'exact'][] = [
    [
      'no properties: payload + header reserve + topic (upper bound)',
      100,
      none,
      100 + BUS_HEADER_RESERVE + 3 + 64,
    ],
    ['user properties', 10, { userProperties: [['k', 'v']] }, 'exact'],
    [
      'correlation data (base64 grows by 4/3)',
      10,
      { userProperties: [], correlationData: Buffer.alloc(3000) },
      'exact',
    ],
    [
      'control characters escape to 6 bytes in JSON',
      10,
      { userProperties: [['k', '\u0001'.repeat(1000)]] },
      'exact',
    ],
  ];
  for (const [name, payload, props, expected] of cases) {
    it(name, () => {
      const bound = busMessageBytes('a/b', payload, props, Number.MAX_SAFE_INTEGER);
      const exact = busMessageBytes('a/b', payload, props, 0); // a bound above 0: computed exactly
      if (expected !== 'exact') assert.equal(bound, expected);
      assert.ok(exact <= bound, `exact ${exact} <= bound ${bound}`);
      const json: Record<string, unknown> = {};
      if (props.userProperties.length > 0) json.u = props.userProperties;
      if (props.correlationData) json.cd = props.correlationData.toString('base64');
      const jsonBytes = Object.keys(json).length > 0 ? Buffer.byteLength(JSON.stringify(json)) : 0;
      assert.equal(exact, payload + BUS_HEADER_RESERVE + 3 + 64 + jsonBytes);
    });
  }
});

describe('SubscriptionBudget', () => {
  const cases: [string, { maxCount: number; maxBytes: number }, string[], string[], boolean[]][] = [
    ['within both bounds', { maxCount: 3, maxBytes: 100 }, ['a'], ['b', 'c'], [true, true]],
    ['count reached', { maxCount: 2, maxBytes: 100 }, ['a'], ['b', 'c'], [true, false]],
    [
      'a held filter replaces its subscription and costs nothing',
      { maxCount: 1, maxBytes: 100 },
      ['a'],
      ['a'],
      [true],
    ],
    [
      'a filter repeated in one SUBSCRIBE counts once',
      { maxCount: 2, maxBytes: 100 },
      [],
      ['a', 'a', 'b'],
      [true, true, true],
    ],
    [
      'bytes reached; a later smaller filter still fits',
      { maxCount: 0, maxBytes: 10 },
      ['12345'],
      ['123456', '1234'],
      [false, true],
    ],
    [
      'count 0 = no count bound',
      { maxCount: 0, maxBytes: 1000 },
      [],
      ['a', 'b', 'c', 'd'],
      [true, true, true, true],
    ],
    ['bytes count UTF-8', { maxCount: 0, maxBytes: 4 }, [], ['éé', 'e'], [true, false]],
  ];
  for (const [name, bound, existing, adding, admitted] of cases) {
    it(name, () => {
      const budget = new SubscriptionBudget(bound, existing);
      assert.deepEqual(
        adding.map((f) => budget.admit(f) === undefined),
        admitted,
      );
    });
  }

  it('a released filter frees its room', () => {
    const budget = new SubscriptionBudget({ maxCount: 1, maxBytes: 100 }, ['a']);
    assert.match(budget.admit('b') ?? '', /at most 1 subscriptions/);
    budget.release('a');
    assert.equal(budget.admit('b'), undefined);
  });
});

describe('session events fit the bus (event-size.ts)', () => {
  const event = (bytes: number): SessionEvent => ({
    eventId: 'e1',
    type: 'altered',
    clientName: 'c',
    version: '7',
    at: '2026-01-01T00:00:00.000Z',
    actor: 'ADMIN',
    changes: {
      subscriptions: { before: [], after: ['x'.repeat(bytes)] },
      keepAliveSeconds: { before: 1, after: 2 },
    },
    session: { clientName: 'c', version: '7' } as SessionEvent['session'],
  });
  const cases: [string, number, boolean][] = [
    ['small event: whole', 100, true],
    ['just under the bound: whole', SESSION_EVENT_INLINE_BYTES - 1000, true],
    ['over the bound: a reference', SESSION_EVENT_INLINE_BYTES, false],
    ['950 KB of subscriptions (the issue): a reference', 950_000, false],
  ];
  for (const [name, bytes, whole] of cases) {
    it(name, () => {
      const payload = sessionEventPayload(event(bytes));
      const parsed = JSON.parse(payload) as SessionEvent;
      assert.ok(Buffer.byteLength(payload) <= SESSION_EVENT_INLINE_BYTES);
      if (whole) {
        assert.equal(parsed.omitted, undefined);
        assert.ok(parsed.session);
      } else {
        assert.deepEqual(parsed.omitted, ['session', 'changes']);
        assert.equal(parsed.session, undefined);
        assert.equal(parsed.changes, undefined);
        assert.deepEqual(parsed.changedFields, ['subscriptions', 'keepAliveSeconds']);
        assert.equal(parsed.version, '7');
        assert.equal(parsed.eventId, 'e1');
      }
    });
  }

  it('a deleted event has nothing to omit', () => {
    const { session: _s, changes: _c, ...rest } = event(0);
    assert.deepEqual(referenceEvent({ ...rest, type: 'deleted' }), {
      ...rest,
      type: 'deleted',
      omitted: ['session', 'changes'],
    });
  });

  it('a bulk entry too large leaves its changes out', () => {
    const big = {
      clientName: 'c',
      version: '3',
      changes: { userProperties: { before: [], after: 'x'.repeat(SESSION_EVENT_INLINE_BYTES) } },
    };
    assert.deepEqual(boundedBulkEntry(big), { clientName: 'c', version: '3', changes: {}, omitted: true });
    const small = { clientName: 'c', version: '3', changes: { keepAliveSeconds: { before: 1, after: 2 } } };
    assert.equal(boundedBulkEntry(small), small);
  });
});
