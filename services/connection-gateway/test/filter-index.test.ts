// The filter index must answer exactly what topicMatches answers for every (filter, topic) pair:
// table cases for the spec's rules, then random filters and topics checked against topicMatches.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { topicMatches } from '@mqfleet/core';
import { FilterIndex } from '../src/filter-index';

const matched = (index: FilterIndex<string>, topic: string): string[] =>
  [...index.match(topic, new Set())].sort();

describe('FilterIndex', () => {
  test('the rules of MQTT topic filters', () => {
    const index = new FilterIndex<string>();
    const filters = ['#', '+', 'a/#', 'a/+', 'a/b', 'a/+/c', '+/+', '$SYS/#', '$SYS/+', 'a//b', '/+', '+/#'];
    for (const f of filters) index.add(f, f);
    const cases: [string, string[]][] = [
      ['a', ['#', '+', '+/#', 'a/#']], // '#' matches its parent level [MQTT-4.7.1-2]
      ['a/b', ['#', '+/#', '+/+', 'a/#', 'a/+', 'a/b']],
      ['a/x/c', ['#', '+/#', 'a/#', 'a/+/c']],
      ['a//b', ['#', '+/#', 'a/#', 'a//b']],
      ['/x', ['#', '+/#', '+/+', '/+']],
      ['$SYS/broker', ['$SYS/#', '$SYS/+']], // no leading wildcard for '$' topics [MQTT-4.7.2-1]
      ['$SYS', ['$SYS/#']],
      ['b/c/d', ['#', '+/#']],
    ];
    for (const [topic, expected] of cases) assert.deepEqual(matched(index, topic), expected.sort(), topic);
    assert.equal(index.size, filters.length);
  });

  test('holders are added once per filter and removed without disturbing others', () => {
    const index = new FilterIndex<string>();
    index.add('x/+', 'c1');
    index.add('x/+', 'c1');
    index.add('x/+', 'c2');
    index.add('x/y/z', 'c3');
    assert.equal(index.size, 3);
    assert.deepEqual(matched(index, 'x/y'), ['c1', 'c2']);
    index.remove('x/+', 'c1');
    index.remove('x/+', 'c1'); // already gone: nothing happens
    index.remove('nope/#', 'c2'); // never added
    assert.deepEqual(matched(index, 'x/y'), ['c2']);
    index.remove('x/+', 'c2');
    assert.deepEqual(matched(index, 'x/y'), []);
    assert.deepEqual(matched(index, 'x/y/z'), ['c3'], 'pruning x/+ kept the sibling branch');
    assert.equal(index.size, 1);
  });

  test('agrees with topicMatches on random filters and topics', () => {
    let seed = 20261126;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const words = ['a', 'b', 'c', '', '$SYS', '$x'];
    const topicOf = (): string =>
      Array.from({ length: 1 + random(4) }, () => words[random(words.length)]!).join('/');
    const filterOf = (): string => {
      const levels = Array.from({ length: 1 + random(4) }, () =>
        random(4) === 0 ? '+' : words[random(words.length)]!,
      );
      if (random(3) === 0) levels[levels.length - 1] = '#';
      return levels.join('/');
    };
    const index = new FilterIndex<string>();
    const filters = new Set(Array.from({ length: 300 }, filterOf));
    for (const f of filters) index.add(f, f);
    // Remove a third again, so pruning is exercised too.
    const removed = [...filters].filter(() => random(3) === 0);
    for (const f of removed) {
      index.remove(f, f);
      filters.delete(f);
    }
    for (let i = 0; i < 2000; i++) {
      const topic = topicOf();
      const expected = [...filters].filter((f) => topicMatches(f, topic)).sort();
      assert.deepEqual(matched(index, topic), expected, topic);
    }
  });

  test('a topic of tens of thousands of levels (found by the fuzzer: the walk overflowed the stack)', () => {
    const index = new FilterIndex<string>();
    const deep = '/'.repeat(65_000);
    index.add('#', 'all');
    index.add('+/+', 'two');
    index.add(deep, 'deep');
    index.add(`${deep}+`, 'deep-plus');
    assert.deepEqual(matched(index, deep), ['all', 'deep', 'deep-plus']);
    assert.deepEqual(matched(index, `${deep}x`), ['all', 'deep-plus']);
  });
});
