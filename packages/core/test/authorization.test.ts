import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALLOW_ALL,
  authorizationFor,
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
    assert.equal(dev.maySubscribe('#'), false); // overlaps secret/#
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
