import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALLOW_ALL,
  authorizationFor,
  READ_CACHE_SIZE,
  filterCovers,
  filtersOverlap,
  parseAuthorization,
  type AuthorizationRule,
} from '../src/authorization';

const split = (f: string): string[] => f.split('/');

describe('filterCovers (allow rules)', () => {
  const cases: [string, string, boolean][] = [
    ['#', 'a/b', true],
    ['#', '#', true],
    ['#', '$SYS/x', false], // [MQTT-4.7.2-1]
    ['$SYS/#', '$SYS/x', true],
    ['a/#', 'a', true], // "#" includes the parent level [MQTT-4.7.1-2]
    ['a/#', 'a/+/c', true],
    ['a/+', 'a/b', true],
    ['a/+', 'a/+', true],
    ['a/+', 'a/#', false],
    ['a/+', 'a/b/c', false],
    ['a/b', 'a/+', false],
    ['a/b', 'a/b', true],
    ['a/b', 'a', false],
    ['+/b', '$x/b', false],
    ['+', '+', true],
    ['a/+/c', 'a/+/c', true],
    ['a/+/c', 'a/x/#', false],
  ];
  for (const [rule, requested, expected] of cases) {
    it(`${rule} covers ${requested}: ${expected}`, () =>
      assert.equal(filterCovers(split(rule), split(requested)), expected));
  }
});

describe('filtersOverlap (deny rules)', () => {
  const cases: [string, string, boolean][] = [
    ['secret/#', '#', true],
    ['secret/#', '+/x', true],
    ['secret/#', 'public/#', false],
    ['secret/#', 'secret', true],
    ['a/+', 'a', false],
    ['a/+', 'a/b/c', false],
    ['a/+/c', 'a/b/+', true],
    ['#', '$SYS/#', false],
    ['$SYS/#', '+/x', false],
    ['a', 'a', true],
    ['a', 'b', false],
  ];
  for (const [a, b, expected] of cases) {
    it(`${a} overlaps ${b}: ${expected}`, () => {
      assert.equal(filtersOverlap(split(a), split(b)), expected);
      assert.equal(filtersOverlap(split(b), split(a)), expected);
    });
  }
});

describe('authorizationFor', () => {
  const rules: AuthorizationRule[] = parseAuthorization([
    { permission: 'deny', action: 'all', username: 'mallory', topics: ['#'] },
    { permission: 'allow', action: 'all', clientId: 'dev-*', topics: ['devices/%c/#'] },
    { permission: 'allow', action: 'publish', username: '*', topics: ['users/%u/out'] },
    { permission: 'deny', action: 'subscribe', topics: ['secret/#'] },
    { permission: 'allow', action: 'subscribe', topics: ['#'] },
  ]);

  it('no rules: everything is allowed', () => {
    assert.equal(authorizationFor(undefined, 'c', 'u'), ALLOW_ALL);
    assert.equal(ALLOW_ALL.mayPublish('$SYS/x'), true);
  });

  it('first match wins; nothing matched is denied', () => {
    const dev = authorizationFor(rules, 'dev-1', '');
    assert.equal(dev.mayPublish('devices/dev-1/temp'), true);
    assert.equal(dev.mayPublish('devices/dev-2/temp'), false); // no rule allows it
    assert.equal(dev.maySubscribe('devices/dev-1/#'), true);
    assert.equal(dev.maySubscribe('devices/+/temp'), true); // not covered by rule 1; rule 4 allows it
    assert.equal(dev.maySubscribe('public/x'), true);
    assert.equal(dev.maySubscribe('secret/x'), false);
    assert.equal(dev.maySubscribe('#'), true); // granted; secret/... is not delivered (below)
    assert.equal(dev.subscription('#'), 'check');
    assert.equal(dev.mayRead('secret/x'), false);
    assert.equal(dev.mayRead('public/x'), true);
    const mallory = authorizationFor(rules, 'dev-9', 'mallory');
    assert.equal(mallory.mayPublish('devices/dev-9/x'), false); // the deny comes first
    assert.equal(mallory.maySubscribe('public/x'), false);
  });

  it('%u is substituted; an unsafe value never allows and always denies', () => {
    assert.equal(authorizationFor(rules, 'c', 'alice').mayPublish('users/alice/out'), true);
    assert.equal(authorizationFor(rules, 'c', 'alice').mayPublish('users/bob/out'), false);
    assert.equal(authorizationFor(rules, 'c', '+').mayPublish('users/+/out'), false);
    assert.equal(authorizationFor(rules, 'dev-#', '').mayPublish('devices/dev-#/x'), false);
    const denyPattern = parseAuthorization([
      { permission: 'deny', action: 'publish', topics: ['private/%u/#'] },
      { permission: 'allow', action: 'all', topics: ['#'] },
    ]);
    assert.equal(authorizationFor(denyPattern, 'c', 'a/b').mayPublish('public/x'), false);
    assert.equal(authorizationFor(denyPattern, 'c', 'bob').mayPublish('public/x'), true);
    assert.equal(authorizationFor(denyPattern, 'c', 'bob').mayPublish('private/bob/x'), false);
  });

  it('user names do not depend on case, as logins do: selectors and %u hold whatever the client types', () => {
    const caseRules = parseAuthorization([
      { permission: 'deny', action: 'all', username: 'Bob', topics: ['#'] },
      { permission: 'allow', action: 'all', username: 'carol', topics: ['users/%u/#'] },
      { permission: 'deny', action: 'all', topics: ['users/%u/private'] },
      { permission: 'allow', action: 'all', topics: ['public/#'] },
    ]);
    for (const bob of ['bob', 'BOB', 'Bob', 'bOb']) {
      assert.equal(authorizationFor(caseRules, 'c', bob).mayPublish('public/x'), false, bob);
    }
    for (const carol of ['carol', 'CAROL', 'Carol']) {
      const auth = authorizationFor(caseRules, 'c', carol);
      assert.equal(auth.maySubscribe('users/carol/#'), true, carol);
      // %u is the lower-case name: a client typing CAROL gets no topic tree of its own beside carol's.
      assert.equal(auth.mayPublish(`users/${carol.toUpperCase()}/x`), false, carol);
    }
    // A deny pattern with %u cannot be dodged by case either.
    const dave = authorizationFor(caseRules, 'c', 'DAVE');
    assert.equal(dave.mayPublish('users/dave/private'), false);
    assert.equal(dave.mayPublish('public/x'), true);
  });
});

describe('subscriptions and per-message read checks', () => {
  const denyOne = parseAuthorization([
    { permission: 'deny', action: 'subscribe', topics: ['test/nosubscribe'] },
    { permission: 'allow', action: 'all', topics: ['#'] },
  ]);
  const partialAllow = parseAuthorization([
    { permission: 'allow', action: 'subscribe', topics: ['sensors/+/temp'] },
  ]);
  const mixed = parseAuthorization([
    { permission: 'allow', action: 'subscribe', topics: ['a/public/#'] },
    { permission: 'deny', action: 'subscribe', topics: ['a/#'] },
    { permission: 'allow', action: 'subscribe', clientId: 'c', topics: ['#'] },
  ]);
  const shadowed = parseAuthorization([
    { permission: 'deny', action: 'subscribe', topics: ['x/y'] },
    { permission: 'allow', action: 'subscribe', topics: ['x/y'] },
    { permission: 'deny', action: 'subscribe', topics: ['#'] },
  ]);
  const unsafe = parseAuthorization([
    { permission: 'deny', action: 'subscribe', topics: ['private/%u/#'] },
    { permission: 'allow', action: 'subscribe', topics: ['public/#'] },
  ]);
  // [rules, client id, user name, filter, grant]
  const grants: [string, AuthorizationRule[], string, string, string, string][] = [
    ['deny one topic', denyOne, 'c', '', '#', 'check'],
    ['deny one topic', denyOne, 'c', '', 'test/+', 'check'],
    ['deny one topic', denyOne, 'c', '', 'test/#', 'check'],
    ['deny one topic', denyOne, 'c', '', 'test/nosubscribe', 'refuse'],
    ['deny one topic', denyOne, 'c', '', 'test/other', 'allow'],
    ['deny one topic', denyOne, 'c', '', 'test/nosubscribe/x', 'allow'],
    ['deny one topic', denyOne, 'c', '', '$SYS/#', 'refuse'], // "#" does not match "$" topics
    ['partial allow', partialAllow, 'c', '', 'sensors/#', 'check'],
    ['partial allow', partialAllow, 'c', '', 'sensors/+/temp', 'allow'],
    ['partial allow', partialAllow, 'c', '', 'sensors/x/temp', 'allow'],
    ['partial allow', partialAllow, 'c', '', 'sensors/x/hum', 'refuse'],
    ['partial allow', partialAllow, 'c', '', 'other/#', 'refuse'],
    ['allow, then a covering deny', mixed, 'd', '', 'a/#', 'check'],
    ['allow, then a covering deny', mixed, 'd', '', 'a/secret', 'refuse'],
    ['allow, then a covering deny', mixed, 'd', '', 'a/public/x', 'allow'],
    ['allow, then a covering deny', mixed, 'd', '', 'b/#', 'refuse'],
    ['allow, then a covering deny', mixed, 'c', '', 'b/#', 'allow'],
    ['allow, then a covering deny', mixed, 'c', '', '#', 'check'],
    ['an allow shadowed by a deny (leans to granting)', shadowed, 'c', '', 'x/+', 'check'],
    ['an allow shadowed by a deny', shadowed, 'c', '', 'x/y', 'refuse'],
    ['an unsafe user name', unsafe, 'c', 'a/b', 'public/#', 'refuse'],
    ['an unsafe user name', unsafe, 'c', 'bob', 'public/#', 'allow'],
    ['an unsafe user name', unsafe, 'c', 'bob', '#', 'check'],
  ];
  for (const [name, rules, clientId, username, filter, grant] of grants) {
    it(`${name}: ${filter} (client ${clientId}, user "${username}") is ${grant}`, () =>
      assert.equal(authorizationFor(rules, clientId, username).subscription(filter), grant));
  }

  // [rules, client id, topic, readable]
  const reads: [string, AuthorizationRule[], string, string, boolean][] = [
    ['deny one topic', denyOne, 'c', 'test/nosubscribe', false],
    ['deny one topic', denyOne, 'c', 'test/other', true],
    ['deny one topic', denyOne, 'c', 'test/nosubscribe/x', true],
    ['deny one topic', denyOne, 'c', '$SYS/x', false],
    ['partial allow', partialAllow, 'c', 'sensors/k/temp', true],
    ['partial allow', partialAllow, 'c', 'sensors/k/hum', false],
    ['allow, then a covering deny', mixed, 'c', 'a/public/x', true],
    ['allow, then a covering deny', mixed, 'c', 'a/public', true], // "#" includes the parent level
    ['allow, then a covering deny', mixed, 'c', 'a/secret', false],
    ['allow, then a covering deny', mixed, 'c', 'b', true],
    ['allow, then a covering deny', mixed, 'd', 'b', false],
    ['an allow shadowed by a deny', shadowed, 'c', 'x/y', false],
    ['an allow shadowed by a deny', shadowed, 'c', 'x/z', false],
  ];
  for (const [name, rules, clientId, topic, readable] of reads) {
    it(`${name}: ${topic} readable by ${clientId}: ${readable}`, () =>
      assert.equal(authorizationFor(rules, clientId, '').mayRead(topic), readable));
  }

  it('every topic of an "allow" filter is readable; a "refuse" filter reads none of them', () => {
    for (const [, rules, clientId, username, filter, grant] of grants) {
      const auth = authorizationFor(rules, clientId, username);
      const topics = ['x', 'y'].map((v) => filter.replaceAll('+', v).replace(/\/?#$/, `/${v}`));
      for (const topic of topics.filter((t) => t !== '')) {
        if (grant === 'allow') assert.equal(auth.mayRead(topic), true, `${filter} ${topic}`);
        if (grant === 'refuse') assert.equal(auth.mayRead(topic), false, `${filter} ${topic}`);
      }
    }
  });

  it('for a topic name, mayRead answers as the SUBSCRIBE of that name would', () => {
    const topics = [
      'test/nosubscribe',
      'test/other',
      'sensors/k/temp',
      'sensors/k/hum',
      'a/public',
      'a/public/x',
    ];
    topics.push('a/secret', 'b', 'x/y', 'x/z', 'private/bob/x', 'public/x', '$SYS/x', 'secret/x', '/x', 'x/');
    for (const rules of [denyOne, partialAllow, mixed, shadowed, unsafe, ...[undefined]]) {
      for (const [clientId, username] of [
        ['c', ''],
        ['d', 'bob'],
        ['c', 'a/b'],
      ] as const) {
        const auth = authorizationFor(rules, clientId, username);
        for (const topic of topics)
          assert.equal(auth.mayRead(topic), auth.maySubscribe(topic), `${topic} ${clientId} ${username}`);
      }
    }
  });

  it('the read cache keeps answering rightly beyond its size', () => {
    const auth = authorizationFor(denyOne, 'c', '');
    for (let i = 0; i < READ_CACHE_SIZE * 2 + 10; i++) assert.equal(auth.mayRead(`t/${i}`), true);
    assert.equal(auth.mayRead('test/nosubscribe'), false);
    assert.equal(auth.mayRead('test/nosubscribe'), false); // from the cache
  });

  it('without rules everything is granted without checks', () => {
    assert.equal(ALLOW_ALL.subscription('#'), 'allow');
    assert.equal(ALLOW_ALL.mayRead('test/nosubscribe'), true);
  });
});
