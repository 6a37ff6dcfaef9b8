import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_MQTT_STRING_BYTES,
  filterToSubjects,
  subjectToFilter,
  subjectToTopic,
  topicFilterProblem,
  topicMatches,
  topicNameProblem,
  topicToSubject,
} from '../src/topics';

// ---------------------------------------------------------------------------------------------
// A small seeded PRNG (mulberry32), so every random failure can be replayed from its seed.

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** MQFLEET_TEST_SEED replays a run; otherwise a fresh seed is chosen (and printed on failure). */
const SEED = process.env.MQFLEET_TEST_SEED ? Number(process.env.MQFLEET_TEST_SEED) : Date.now() >>> 0;

/** Runs `body` with a seeded random source; a failure names the seed to replay it with. */
function withSeed(seed: number, body: (random: () => number) => void): void {
  try {
    body(mulberry32(seed));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`property failed with seed ${seed} (replay: MQFLEET_TEST_SEED=${seed})`);
    if (err instanceof Error) err.message = `[seed ${seed}] ${message}`;
    throw err;
  }
}

/** Characters that need care on the NATS side, plus ordinary ones. */
const AWKWARD = [
  '.',
  '*',
  '>',
  '%',
  '%2E',
  '%%',
  ' ',
  '\t',
  '\n',
  '\r',
  '\f',
  '\v',
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  '\u0080',
  '\u0085', // NEL, a C1 control and Unicode line break
  '\u009f',
  '\u00a0', // no-break space
  '\u1680',
  '\u2000',
  '\u2028', // line separator
  '\u2029',
  '\u202f',
  '\u3000', // ideographic space
  '\ufeff', // BOM / zero-width no-break space
  '\ufffd',
  '$',
  '+',
  '#',
  'é',
  'ß',
  '中',
  '😀',
  '👍🏽',
  '\u{10ffff}',
  'a',
  'Z',
  '0',
  '-',
  '_',
  '~',
  ':',
];
const PLAIN = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';

function randomCodePoint(random: () => number): string {
  for (;;) {
    const cp = Math.floor(random() * 0x110000);
    if (cp >= 0xd800 && cp <= 0xdfff) continue; // MQTT strings are well-formed UTF-8 [MQTT-1.5.4-1]
    return String.fromCodePoint(cp);
  }
}

function randomLevel(random: () => number): string {
  const length = Math.floor(random() * 8);
  let level = '';
  for (let i = 0; i < length; i++) {
    const r = random();
    if (r < 0.4) level += PLAIN[Math.floor(random() * PLAIN.length)];
    else if (r < 0.8) level += AWKWARD[Math.floor(random() * AWKWARD.length)];
    else level += randomCodePoint(random);
  }
  return level;
}

function randomTopic(random: () => number): string {
  const levels = 1 + Math.floor(random() * 7);
  return Array.from({ length: levels }, () => randomLevel(random)).join('/');
}

/** What NATS (and any reader) must never find inside a token of a topic's subject. */
function tokenProblem(token: string): string | undefined {
  if (token.length === 0) return 'empty token';
  if (/\s/u.test(token)) return 'whitespace in token';
  if (/\p{Cc}/u.test(token)) return 'control character in token';
  if (token.includes('.')) return '"." in token';
  if (token.includes('*') || token.includes('>')) return 'wildcard character in a topic token';
  return undefined;
}

function assertSubjectTokensSafe(topic: string, subject: string): void {
  for (const token of subject.split('.')) {
    const problem = tokenProblem(token);
    assert.equal(
      problem,
      undefined,
      `${problem}: topic ${JSON.stringify(topic)} → subject ${JSON.stringify(subject)}, token ${JSON.stringify(token)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------

describe('topicToSubject / subjectToTopic', () => {
  const table: [topic: string, subject: string][] = [
    ['a', 'a'],
    ['a/b/c', 'a.b.c'],
    ['sensors/temp-1/value_2', 'sensors.temp-1.value_2'],
    ['/a', '%.a'],
    ['a/', 'a.%'],
    ['a//b', 'a.%.b'],
    ['/', '%.%'],
    ['//', '%.%.%'],
    ['a.b', 'a%2Eb'],
    ['.', '%2E'],
    ['*', '%2A'],
    ['a/*/b', 'a.%2A.b'],
    ['>', '%3E'],
    ['a>b', 'a%3Eb'],
    ['%', '%25'],
    ['%25', '%2525'],
    ['100%/x', '100%25.x'],
    ['a b', 'a%20b'],
    [' ', '%20'],
    ['a\tb', 'a%09b'],
    ['line\r\nbreak', 'line%0D%0Abreak'],
    ['nul\u0000x', 'nul%00x'],
    ['del\u007f', 'del%7F'],
    ['\u0001/\u001f', '%01.%1F'],
    ['café/é', 'café.é'],
    ['emoji/😀', 'emoji.😀'],
    ['中文/主题', '中文.主题'],
    ['$SYS/x', '$SYS.x'],
    ['$SYS/broker/clients', '$SYS.broker.clients'],
    ['a-b_c:d~e', 'a-b_c:d~e'],
  ];
  for (const [topic, subject] of table) {
    it(`${JSON.stringify(topic)} ↔ ${JSON.stringify(subject)}`, () => {
      assert.equal(topicToSubject(topic), subject);
      assert.equal(subjectToTopic(subject), topic);
      assertSubjectTokensSafe(topic, subject);
    });
  }

  it('escapes non-ASCII whitespace and C1 control characters (as UTF-8 bytes), reversibly', () => {
    const cases: [string, string][] = [
      ['a\u00a0b', 'a%C2%A0b'],
      ['\u0085', '%C2%85'],
      ['\u0080/\u009f', '%C2%80.%C2%9F'],
      ['x\u2028y', 'x%E2%80%A8y'],
      ['\u3000', '%E3%80%80'],
      ['\ufeff', '%EF%BB%BF'],
      ['\ufeff.', '%EF%BB%BF%2E'],
    ];
    for (const [topic, subject] of cases) {
      assert.equal(topicToSubject(topic), subject, JSON.stringify(topic));
      assert.equal(subjectToTopic(subject), topic, JSON.stringify(subject));
    }
  });

  it('keeps a leading U+FEFF when a token also holds escapes (not taken for a byte-order mark)', () => {
    assert.equal(subjectToTopic('\ufeff%2E'), '\ufeff.');
    assert.equal(subjectToTopic('%EF%BB%BFa/%EF%BB%BF'), '\ufeffa/\ufeff');
  });

  it('refuses subject tokens that are not well-formed escapes', () => {
    for (const subject of ['a%2', 'a%zz', 'a%2e', '%G0', '%C3']) {
      assert.throws(() => subjectToTopic(subject), Error, subject);
    }
  });

  it('a 65,535-byte topic maps and returns unchanged', () => {
    const topic = `${'é'.repeat(16383)}/${'.'.repeat(32767)}`;
    assert.equal(Buffer.byteLength(topic), 16383 * 2 + 1 + 32767);
    const subject = topicToSubject(topic);
    assert.equal(subjectToTopic(subject), topic);
    assertSubjectTokensSafe('(long)', subject);
  });

  it(`property: thousands of random topics round-trip and map to safe tokens (seed ${SEED})`, () => {
    withSeed(SEED, (random) => {
      for (let i = 0; i < 5000; i++) {
        const topic = randomTopic(random);
        const subject = topicToSubject(topic);
        assert.equal(subjectToTopic(subject), topic, `round trip of ${JSON.stringify(topic)}`);
        assert.equal(subject.split('.').length, topic.split('/').length, 'one token per level');
        assertSubjectTokensSafe(topic, subject);
      }
    });
  });

  it('property: the mapping is injective (distinct topics, distinct subjects)', () => {
    withSeed(SEED ^ 0x5bd1e995, (random) => {
      const seen = new Map<string, string>();
      for (let i = 0; i < 5000; i++) {
        const topic = randomTopic(random);
        const subject = topicToSubject(topic);
        const earlier = seen.get(subject);
        if (earlier !== undefined)
          assert.equal(earlier, topic, `two topics share ${JSON.stringify(subject)}`);
        seen.set(subject, topic);
      }
    });
  });

  it('a fixed seed gives a reproducible sequence', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const first = Array.from({ length: 5 }, () => randomTopic(a));
    assert.deepEqual(
      Array.from({ length: 5 }, () => randomTopic(b)),
      first,
    );
  });
});

describe('filterToSubjects / subjectToFilter', () => {
  const table: [filter: string, subjects: string[]][] = [
    ['a/b/c', ['a.b.c']],
    ['a/#', ['a.>', 'a']],
    ['a/b/#', ['a.b.>', 'a.b']],
    ['#', ['>']],
    ['+', ['*']],
    ['+/b', ['*.b']],
    ['a/+', ['a.*']],
    ['a/+/c', ['a.*.c']],
    ['+/+', ['*.*']],
    ['+/#', ['*.>', '*']],
    ['/#', ['%.>', '%']],
    ['/+', ['%.*']],
    ['a//#', ['a.%.>', 'a.%']],
    ['a.b/+', ['a%2Eb.*']],
    ['a b/#', ['a%20b.>', 'a%20b']],
    ['$SYS/#', ['$SYS.>', '$SYS']],
    ['é/😀/+', ['é.😀.*']],
    ['%/*/>', ['%25.%2A.%3E']],
  ];
  for (const [filter, expected] of table) {
    it(`${JSON.stringify(filter)} → ${JSON.stringify(expected)}`, () => {
      const subjects = filterToSubjects(filter);
      assert.deepEqual(subjects, expected);
      assert.equal(subjectToFilter(subjects[0]!), filter, 'subjectToFilter inverts the first subject');
    });
  }

  it('subjectToFilter table', () => {
    const inverse: [string, string][] = [
      ['a.>', 'a/#'],
      ['>', '#'],
      ['*', '+'],
      ['*.b', '+/b'],
      ['%.*', '/+'],
      ['a.%.b', 'a//b'],
      ['a%2Eb.*', 'a.b/+'],
      ['%2A.%3E', '*/>'],
      ['$SYS.>', '$SYS/#'],
    ];
    for (const [subject, filter] of inverse) assert.equal(subjectToFilter(subject), filter, subject);
  });

  it('property: random filters built from random levels invert', () => {
    withSeed(SEED ^ 0x1234567, (random) => {
      for (let i = 0; i < 2000; i++) {
        const levels = randomTopic(random)
          .split('/')
          .map((level) => (random() < 0.2 ? '+' : level.replace(/[+#]/g, 'x')));
        if (random() < 0.3) levels.push('#');
        const filter = levels.join('/');
        const subjects = filterToSubjects(filter);
        assert.equal(subjectToFilter(subjects[0]!), filter, `filter ${JSON.stringify(filter)}`);
        for (const subject of subjects) {
          for (const token of subject.split('.')) {
            if (token === '*' || token === '>') continue;
            assert.equal(tokenProblem(token), undefined, `token ${JSON.stringify(token)} of ${filter}`);
          }
        }
      }
    });
  });
});

describe('topicNameProblem [MQTT-4.7.3]', () => {
  const valid = [
    'a',
    '/',
    '//',
    'sport/tennis/player1',
    '/finance',
    'finance/',
    ' ',
    'a b',
    'é/😀',
    '$SYS/broker',
    '.',
    '*',
    '>',
    'x'.repeat(MAX_MQTT_STRING_BYTES),
    'é'.repeat((MAX_MQTT_STRING_BYTES - 1) / 2) + 'x',
  ];
  for (const topic of valid) {
    it(`valid: ${JSON.stringify(topic.length > 20 ? `${topic.slice(0, 10)}… (${topic.length} chars)` : topic)}`, () => {
      assert.equal(topicNameProblem(topic), undefined);
    });
  }
  const invalid: [string, RegExp][] = [
    ['', /at least one character/],
    ['+', /wildcard/],
    ['#', /wildcard/],
    ['sport/+', /wildcard/],
    ['sport/tennis/#', /wildcard/],
    ['a+b', /wildcard/],
    ['a#', /wildcard/],
    ['a\u0000b', /null/],
    ['x'.repeat(MAX_MQTT_STRING_BYTES + 1), /65535 bytes/],
    ['é'.repeat(32768), /65535 bytes/], // 32,768 characters but 65,536 bytes
  ];
  for (const [topic, reason] of invalid) {
    it(`invalid: ${JSON.stringify(topic.length > 20 ? `${topic.slice(0, 10)}… (${topic.length} chars)` : topic)}`, () => {
      assert.match(topicNameProblem(topic) ?? '(valid)', reason);
    });
  }
});

describe('topicFilterProblem [MQTT-4.7.1]', () => {
  const valid = [
    'a',
    '#',
    '+',
    '/',
    'sport/tennis/player1/#',
    'sport/#',
    '+/tennis/#',
    'sport/+/player1',
    '+/+',
    '/+',
    '+/',
    '$SYS/#',
    'a//#',
    'x'.repeat(MAX_MQTT_STRING_BYTES),
  ];
  for (const filter of valid) {
    it(`valid: ${JSON.stringify(filter.length > 20 ? `${filter.slice(0, 10)}…` : filter)}`, () => {
      assert.equal(topicFilterProblem(filter), undefined);
    });
  }
  const invalid: [string, RegExp][] = [
    ['', /at least one character/],
    ['sport/tennis#', /"#"/],
    ['sport/tennis/#/ranking', /"#"/],
    ['#/a', /"#"/],
    ['##', /"#"/],
    ['a/#/', /"#"/],
    ['sport+', /"\+"/],
    ['sport/+tennis', /"\+"/],
    ['++', /"\+"/],
    ['a\u0000', /null/],
    ['x'.repeat(MAX_MQTT_STRING_BYTES + 1), /65535 bytes/],
    ['€'.repeat(21846), /65535 bytes/], // 65,538 bytes
  ];
  for (const [filter, reason] of invalid) {
    it(`invalid: ${JSON.stringify(filter.length > 20 ? `${filter.slice(0, 10)}…` : filter)}`, () => {
      assert.match(topicFilterProblem(filter) ?? '(valid)', reason);
    });
  }
});

describe('topicMatches [MQTT-4.7.1, MQTT-4.7.2]', () => {
  const table: [filter: string, topic: string, matches: boolean][] = [
    ['a/b', 'a/b', true],
    ['a/b', 'a/c', false],
    ['a/b', 'a/b/c', false],
    ['a/b/c', 'a/b', false],
    ['#', 'a', true],
    ['#', 'a/b/c', true],
    ['#', '/', true],
    ['a/#', 'a', true], // "#" also matches the parent level [MQTT-4.7.1-2]
    ['a/#', 'a/b', true],
    ['a/#', 'a/b/c', true],
    ['a/#', 'a/', true],
    ['a/#', 'ab', false],
    ['a/#', 'b/a', false],
    ['sport/tennis/player1/#', 'sport/tennis/player1', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon', true],
    ['sport/#', 'sport', true],
    ['+', 'a', true],
    ['+', 'a/b', false], // "+" matches exactly one level
    ['+', '/a', false],
    ['+/b', 'a/b', true],
    ['+/b', 'a/x/b', false],
    ['a/+/c', 'a/b/c', true],
    ['a/+/c', 'a/b/x/c', false],
    ['sport/+', 'sport', false],
    ['sport/+', 'sport/', true],
    ['sport/tennis/+', 'sport/tennis/player1', true],
    ['sport/tennis/+', 'sport/tennis/player1/ranking', false],
    ['+/+', '/finance', true],
    ['/+', '/finance', true],
    ['+', '/finance', false],
    ['+/#', 'a', true],
    ['+/+/#', 'a', false],
    // "$" topics are not matched by filters starting with a wildcard [MQTT-4.7.2-1]
    ['#', '$SYS/broker', false],
    ['#', '$SYS', false],
    ['+/broker', '$SYS/broker', false],
    ['+/#', '$SYS/broker', false],
    ['+', '$SYS', false],
    ['$SYS/#', '$SYS/broker', true],
    ['$SYS/#', '$SYS', true],
    ['$SYS/+', '$SYS/broker', true],
    ['$SYS/broker', '$SYS/broker', true],
    ['a/#', 'a/$SYS', true],
    ['a/+', 'a/$x', true],
    // no character is special inside a level
    ['a.b/c', 'a.b/c', true],
    ['a*', 'ab', false],
    ['é/+', 'é/😀', true],
    ['A/b', 'a/b', false],
  ];
  for (const [filter, topic, expected] of table) {
    it(`${JSON.stringify(filter)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(topic)}`, () => {
      assert.equal(topicMatches(filter, topic), expected);
    });
  }

  it('property: agrees with the rules written level by level (split) on random filters and topics', () => {
    // The rules as the specification states them, on split levels: the oracle for the walk.
    const byLevels = (filter: string, topic: string): boolean => {
      if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
      const f = filter.split('/');
      const t = topic.split('/');
      for (let i = 0; i < f.length; i++) {
        if (f[i] === '#') return true;
        if (i >= t.length) return false;
        if (f[i] !== '+' && f[i] !== t[i]) return false;
      }
      return f.length === t.length;
    };
    withSeed(SEED ^ 0x5151, (random) => {
      const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
      const levels = ['a', 'b', '', '$x', 'ab', 'é'];
      for (let i = 0; i < 20_000; i++) {
        const topic = Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(levels)).join('/');
        const filterLevels = Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
          pick([...levels, '+', '+']),
        );
        if (random() < 0.3) filterLevels.push('#');
        const filter = filterLevels.join('/');
        assert.equal(topicMatches(filter, topic), byLevels(filter, topic), `${filter} ~ ${topic}`);
      }
    });
  });

  it('property: a topic always matches itself, "#" (unless "$") and its own "+" filter', () => {
    withSeed(SEED ^ 0x7777, (random) => {
      for (let i = 0; i < 2000; i++) {
        const topic = randomTopic(random).replace(/[+#]/g, 'x').replaceAll(String.fromCharCode(0), 'x');
        assert.ok(topicMatches(topic, topic), JSON.stringify(topic));
        assert.equal(topicMatches('#', topic), !topic.startsWith('$'), JSON.stringify(topic));
        const plus = topic
          .split('/')
          .map(() => '+')
          .join('/');
        assert.equal(topicMatches(plus, topic), !topic.startsWith('$'), JSON.stringify(topic));
      }
    });
  });
});
