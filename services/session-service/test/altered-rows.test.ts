// The rows a session-service remembers of the sessions it altered last stay within their bounds:
// entries, bytes, and no row with large wills.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS } from '@mqfleet/core';
import { AlteredRows, type RememberedRow } from '../src/sessions';

function remembered(name: string, settings: Record<string, unknown> = {}, subs = 0): RememberedRow {
  return {
    row: {
      client_name: name,
      version: '2',
      settings: { ...DEFAULT_SETTINGS, ...settings },
    } as RememberedRow['row'],
    subs: Array.from({ length: subs }, (_, i) => ({
      topicFilter: `site/${i}/#`,
      qos: 1,
      noLocal: false,
      retainAsPublished: false,
      retainHandling: 0,
      subscriptionIdentifier: 0,
    })),
    xmin: '1',
  };
}

test('at most 4,096 rows, the least recently used leave first', () => {
  const rows = new AlteredRows();
  for (let i = 0; i < 5000; i++) rows.set(`k${i}`, remembered(`d${i}`));
  assert.equal(rows.size.rows, 4096);
  assert.equal(rows.get('k0'), undefined);
  assert.ok(rows.get('k904'), 'the 4,096 most recent are kept');
  rows.set('k5000', remembered('d5000'));
  assert.ok(rows.get('k904'), 'a row read is used again: k905 left instead');
  assert.equal(rows.get('k905'), undefined);
});

test('a row with large wills or many subscriptions is not remembered, and bytes stay bounded', () => {
  const rows = new AlteredRows();
  rows.set(
    'big',
    remembered('big', { willPayload: 'A'.repeat(87_336), willCorrelationData: 'B'.repeat(87_336) }),
  );
  assert.equal(rows.get('big'), undefined);
  rows.set('subs', remembered('subs', {}, 2000));
  assert.equal(rows.get('subs'), undefined);
  // 40 KB rows: 16 MiB hold about 400 of them, not 4,096.
  for (let i = 0; i < 1000; i++) rows.set(`m${i}`, remembered(`m${i}`, { willPayload: 'C'.repeat(40_000) }));
  assert.ok(rows.size.bytes <= 16 * 1024 * 1024, `${rows.size.bytes} bytes`);
  assert.ok(rows.size.rows < 500 && rows.size.rows > 300, `${rows.size.rows} rows`);
  // Replacing and deleting keep the count of bytes right.
  const before = rows.size.bytes;
  rows.set('m999', remembered('m999'));
  assert.ok(rows.size.bytes < before);
  rows.delete('m999');
  rows.delete('never-there');
  assert.equal(rows.size.rows, [...Array(1000).keys()].filter((i) => rows.get(`m${i}`)).length);
});
